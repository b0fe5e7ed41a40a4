namespace LlmKit;

/// <summary>The state of one budget's current window.</summary>
public sealed record BudgetStatus
{
    /// <summary>Gets the budget.</summary>
    public required BudgetDefinition Budget { get; init; }

    /// <summary>Gets the concrete scope (a <c>*</c> budget resolved to one tenant, user...).</summary>
    public required BudgetScope Scope { get; init; }

    /// <summary>Gets when the current window started (for a rolling budget, one period ago; <see cref="DateTimeOffset.MinValue"/> for a lifetime budget).</summary>
    public DateTimeOffset WindowStart { get; init; }

    /// <summary>
    /// Gets when the current window ends and the budget resets: for a rolling budget, when its oldest counted spend rolls
    /// off (<see langword="null"/> when nothing is spent); <see langword="null"/> for a lifetime budget.
    /// </summary>
    public DateTimeOffset? WindowEnd { get; init; }

    /// <summary>Gets what has been spent (settled) in the window.</summary>
    public decimal Spent { get; init; }

    /// <summary>Gets what is held by reservations of calls still running.</summary>
    public decimal Reserved { get; init; }

    /// <summary>Gets what is left: the limit less spent and reserved, never below zero.</summary>
    public decimal Remaining => Math.Max(0m, Budget.Limit - Spent - Reserved);
}
