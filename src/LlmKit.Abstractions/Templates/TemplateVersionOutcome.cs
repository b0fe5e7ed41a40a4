namespace LlmKit;

/// <summary>How one template version did: calls, tokens, cost and latency from the usage ledger, and the scores the host reported.</summary>
public sealed record TemplateVersionOutcome
{
    /// <summary>Gets the template id.</summary>
    public required string TemplateId { get; init; }

    /// <summary>Gets the version.</summary>
    public int Version { get; init; }

    /// <summary>Gets the calls made from this version (every outcome).</summary>
    public long Calls { get; init; }

    /// <summary>Gets the calls that completed.</summary>
    public long Successes { get; init; }

    /// <summary>Gets all input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets all output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the cost of calls whose cost is known, in USD.</summary>
    public decimal KnownCostUsd { get; init; }

    /// <summary>Gets the number of calls whose cost is unknown.</summary>
    public long UnknownCostCalls { get; init; }

    /// <summary>Gets the mean latency per call, or <see langword="null"/> without calls or when the ledger does not sum latencies.</summary>
    public TimeSpan? MeanLatency { get; init; }

    /// <summary>Gets how many scores the host reported.</summary>
    public long ScoreCount { get; init; }

    /// <summary>Gets the mean reported score, or <see langword="null"/> without scores.</summary>
    public double? MeanScore { get; init; }
}
