namespace LlmKit;

/// <summary>
/// A model's prices in USD per one million tokens. A price that is <see langword="null"/> is
/// unknown; LlmKit then reports costs that need it as unknown, never as zero.
/// </summary>
public sealed record ModelPricing
{
    /// <summary>Gets the price of input tokens.</summary>
    public decimal? InputPerMillion { get; init; }

    /// <summary>Gets the price of output tokens.</summary>
    public decimal? OutputPerMillion { get; init; }

    /// <summary>Gets the price of input tokens read from the prompt cache.</summary>
    public decimal? CachedInputPerMillion { get; init; }

    /// <summary>Gets the price of input tokens written to the prompt cache (5-minute lifetime where the provider distinguishes).</summary>
    public decimal? CacheWritePerMillion { get; init; }

    /// <summary>Gets the price of input tokens written to the prompt cache with a 1-hour lifetime.</summary>
    public decimal? CacheWrite1HourPerMillion { get; init; }

    /// <summary>Gets the price of reasoning tokens when the model bills them apart from output; <see langword="null"/> bills them as output.</summary>
    public decimal? ReasoningPerMillion { get; init; }

    /// <summary>Gets the batch input price.</summary>
    public decimal? BatchInputPerMillion { get; init; }

    /// <summary>Gets the batch output price.</summary>
    public decimal? BatchOutputPerMillion { get; init; }

    /// <summary>
    /// Gets the complete prices of other service tiers (for example <c>priority</c> and <c>flex</c>), keyed by
    /// tier name; a call on a tier without an entry here has an unknown cost. Batch prices are the
    /// <c>Batch*</c> properties. Defaults to none.
    /// </summary>
    public IReadOnlyDictionary<string, ModelPricing> ServiceTiers { get; init; } = new Dictionary<string, ModelPricing>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the long-context tiers, lowest threshold first. Defaults to none.</summary>
    public IReadOnlyList<LongContextPricingTier> LongContextTiers { get; init; } = [];
}
