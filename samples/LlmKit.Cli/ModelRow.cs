namespace LlmKit.Cli;

/// <summary>One model in the --json output of <c>llmkit models</c>; unknown prices are null.</summary>
internal sealed record ModelRow(string Id, string Provider, int? ContextWindow, int? MaxOutputTokens, ModelRowPricing Pricing, IReadOnlyList<string> Capabilities);

/// <summary>A model's prices in USD per million tokens.</summary>
internal sealed record ModelRowPricing(decimal? InputPerMTok, decimal? OutputPerMTok, decimal? CachedInputPerMTok, decimal? CacheWritePerMTok);
