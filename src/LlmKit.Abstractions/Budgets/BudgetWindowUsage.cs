namespace LlmKit;

/// <summary>What one budget window holds: settled spend and open reservations.</summary>
/// <param name="Spent">What has been settled in the window.</param>
/// <param name="Reserved">What open reservations hold.</param>
/// <param name="NextRollOff">For a rolling window, when its oldest spend stops counting; <see langword="null"/> otherwise or when nothing is spent.</param>
public readonly record struct BudgetWindowUsage(decimal Spent, decimal Reserved, DateTimeOffset? NextRollOff = null);
