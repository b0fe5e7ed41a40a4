namespace LlmKit.Cli;

/// <summary>The --json output of <c>llmkit cost</c>; amounts are null when the cost is unknown.</summary>
internal sealed record CostResult(
    string Model,
    string Currency,
    bool Known,
    decimal? Total,
    decimal? Input,
    decimal? Output,
    Dictionary<string, decimal> Breakdown,
    string Tier,
    string? UnknownReason);
