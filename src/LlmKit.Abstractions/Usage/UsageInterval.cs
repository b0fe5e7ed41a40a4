namespace LlmKit;

/// <summary>The bucket width of a usage time series.</summary>
public enum UsageInterval
{
    /// <summary>One bucket per hour.</summary>
    Hour = 0,

    /// <summary>One bucket per day.</summary>
    Day,
}
