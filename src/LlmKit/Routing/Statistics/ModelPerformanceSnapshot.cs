namespace LlmKit;

/// <summary>Performance of one deployment or one logical model since the process started (latencies over the most recent calls).</summary>
public sealed record ModelPerformanceSnapshot
{
    /// <summary>Gets the deployment name (<c>openai/gpt-4o</c>) or the logical model (<c>smart</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the calls, successful or not.</summary>
    public long Requests { get; init; }

    /// <summary>Gets the calls that succeeded.</summary>
    public long Successes { get; init; }

    /// <summary>Gets the failed calls by failure class.</summary>
    public IReadOnlyDictionary<LlmFailureKind, long> Failures { get; init; } = new Dictionary<LlmFailureKind, long>();

    /// <summary>Gets the share of calls that failed (0 to 1); 0 when there were no calls. Caller cancellations do not count as failures.</summary>
    public double ErrorRate { get; init; }

    /// <summary>Gets the median latency of successful calls (a whole stream for streaming calls), or <see langword="null"/> without any.</summary>
    public TimeSpan? LatencyP50 { get; init; }

    /// <summary>Gets the 95th percentile latency, or <see langword="null"/>.</summary>
    public TimeSpan? LatencyP95 { get; init; }

    /// <summary>Gets the 99th percentile latency, or <see langword="null"/>.</summary>
    public TimeSpan? LatencyP99 { get; init; }

    /// <summary>Gets the median time to the first chunk of successful streams, or <see langword="null"/> without any.</summary>
    public TimeSpan? TimeToFirstTokenP50 { get; init; }

    /// <summary>Gets the 95th percentile time to first chunk, or <see langword="null"/>.</summary>
    public TimeSpan? TimeToFirstTokenP95 { get; init; }

    /// <summary>Gets the median output tokens per second of successful calls that reported usage, or <see langword="null"/>.</summary>
    public double? OutputTokensPerSecond { get; init; }

    /// <summary>Gets the output tokens of all calls that reported usage.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the known cost in USD of the calls (what the metering stage priced).</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Gets the calls whose cost is unknown (no price in the registry).</summary>
    public long UnknownCostCalls { get; init; }

    /// <summary>Gets the calls in flight when the snapshot was taken.</summary>
    public int InFlight { get; init; }

    /// <summary>Gets the moving-average latency the lowest-latency strategy uses, or <see langword="null"/> before the first success.</summary>
    public TimeSpan? AverageLatency { get; init; }

    /// <summary>Gets the circuit breaker's state for a deployment (<c>Closed</c>, <c>Open</c>, <c>HalfOpen</c>, <c>Isolated</c>); <see langword="null"/> for a logical model.</summary>
    public string? CircuitState { get; init; }

    /// <summary>Gets when a cooling-down deployment returns to rotation, or <see langword="null"/> when it is not cooling down.</summary>
    public DateTimeOffset? CoolingDownUntil { get; init; }

    /// <summary>Gets why the deployment is cooling down, or <see langword="null"/>.</summary>
    public string? CooldownReason { get; init; }
}
