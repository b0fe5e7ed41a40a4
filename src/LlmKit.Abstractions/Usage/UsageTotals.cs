namespace LlmKit;

/// <summary>Summed usage over a set of records.</summary>
public sealed record UsageTotals
{
    /// <summary>Gets the number of calls.</summary>
    public long Calls { get; init; }

    /// <summary>Gets the number of failed calls.</summary>
    public long Failures { get; init; }

    /// <summary>Gets all input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets all output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the cached input tokens.</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Gets the reasoning tokens.</summary>
    public long ReasoningTokens { get; init; }

    /// <summary>Gets the cost of calls whose cost is known, in USD.</summary>
    public decimal KnownCostUsd { get; init; }

    /// <summary>Gets the number of calls whose cost is unknown (not included in <see cref="KnownCostUsd"/>).</summary>
    public long UnknownCostCalls { get; init; }

    /// <summary>Gets the number of calls the response cache answered (<see cref="CallOutcome.CacheHit"/>); included in <see cref="Calls"/>.</summary>
    public long CacheHits { get; init; }

    /// <summary>Gets the summed <see cref="UsageRecord.SavedCostUsd"/> of the cache hits, in USD.</summary>
    public decimal SavedCostUsd { get; init; }

    /// <summary>Gets the summed wall-clock latency of the calls (divide by <see cref="Calls"/> for the mean), or <see langword="null"/> when the ledger does not sum latencies.</summary>
    public TimeSpan? TotalLatency { get; init; }
}
