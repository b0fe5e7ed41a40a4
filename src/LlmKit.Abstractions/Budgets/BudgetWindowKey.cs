namespace LlmKit;

/// <summary>Identifies one window of one budget for one concrete scope.</summary>
/// <param name="BudgetId">The budget id.</param>
/// <param name="Scope">The concrete scope.</param>
/// <param name="WindowStart">
/// The start of the window (calendar-aligned), or <see cref="DateTimeOffset.MinValue"/> for a lifetime or rolling
/// budget. A store keeps one window per budget and scope: a key with a later start begins a new window (open
/// reservations carry over into it; settled spend does not).
/// </param>
/// <param name="RollingPeriod">The length of a rolling window, or <see cref="TimeSpan.Zero"/> (the default) for calendar and lifetime windows.</param>
public readonly record struct BudgetWindowKey(string BudgetId, BudgetScope Scope, DateTimeOffset WindowStart, TimeSpan RollingPeriod = default);
