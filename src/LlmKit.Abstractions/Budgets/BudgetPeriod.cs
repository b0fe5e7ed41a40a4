namespace LlmKit;

/// <summary>The length of a budget window.</summary>
public enum BudgetPeriod
{
    /// <summary>One hour.</summary>
    Hour = 0,

    /// <summary>One day.</summary>
    Day,

    /// <summary>One week (calendar weeks start on Monday).</summary>
    Week,

    /// <summary>One month.</summary>
    Month,

    /// <summary>No window: the limit applies to all time.</summary>
    Lifetime,
}
