namespace LlmKit;

/// <summary>Selects usage records for totals, top lists and time series.</summary>
public sealed record UsageQuery
{
    /// <summary>Gets the inclusive start of the time range. Defaults to no lower bound.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Gets the exclusive end of the time range. Defaults to no upper bound.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Gets the scope to restrict to. Defaults to <see cref="BudgetScope.Global"/> (everything).</summary>
    public BudgetScope Scope { get; init; } = BudgetScope.Global;
}
