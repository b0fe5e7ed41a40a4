namespace LlmKit;

/// <summary>Raised once per window when a budget's spend crosses one of its alert thresholds.</summary>
public sealed record BudgetAlert
{
    /// <summary>Gets the budget.</summary>
    public required BudgetDefinition Budget { get; init; }

    /// <summary>Gets the concrete scope.</summary>
    public required BudgetScope Scope { get; init; }

    /// <summary>Gets the threshold crossed, as a fraction of the limit (0.8 for 80 %).</summary>
    public decimal Threshold { get; init; }

    /// <summary>Gets what had been spent (settled) when the threshold was crossed, in the budget's unit.</summary>
    public decimal Spent { get; init; }

    /// <summary>
    /// Gets a value indicating whether the alert was raised because a call was refused or degraded for lack of room,
    /// rather than because settled spend reached the threshold (the 100 % alert fires either way).
    /// </summary>
    public bool Exhausted { get; init; }

    /// <summary>Gets the start of the window the alert belongs to (for a rolling budget, the start of the period the alert is counted in).</summary>
    public DateTimeOffset WindowStart { get; init; }

    /// <summary>Gets when the window ends, or <see langword="null"/> for lifetime and rolling budgets.</summary>
    public DateTimeOffset? WindowEnd { get; init; }

    /// <summary>Gets when the alert was raised.</summary>
    public DateTimeOffset RaisedAt { get; init; }
}
