namespace LlmKit;

/// <summary>Identifies one window of one budget for one concrete scope.</summary>
/// <param name="BudgetId">The budget id.</param>
/// <param name="Scope">The concrete scope.</param>
/// <param name="WindowStart">The start of the window (calendar-aligned), or <see cref="DateTimeOffset.MinValue"/> for a lifetime or rolling budget.</param>
public readonly record struct BudgetWindowKey(string BudgetId, BudgetScope Scope, DateTimeOffset WindowStart);
