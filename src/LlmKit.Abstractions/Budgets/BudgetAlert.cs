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

    /// <summary>Gets what had been spent when the threshold was crossed.</summary>
    public decimal Spent { get; init; }

    /// <summary>Gets the start of the window the alert belongs to.</summary>
    public DateTimeOffset WindowStart { get; init; }

    /// <summary>Gets when the alert was raised.</summary>
    public DateTimeOffset RaisedAt { get; init; }
}
