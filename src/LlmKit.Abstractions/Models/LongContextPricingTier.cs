namespace LlmKit;

/// <summary>
/// Prices that replace a model's standard prices for the whole request once its prompt has more than
/// <see cref="AboveInputTokens"/> tokens. A price left <see langword="null"/> keeps the standard one.
/// </summary>
public sealed record LongContextPricingTier
{
    /// <summary>Gets the prompt size above which (strictly greater) the tier applies.</summary>
    public required long AboveInputTokens { get; init; }

    /// <summary>Gets the input price in USD per million tokens, or <see langword="null"/> to keep the standard one.</summary>
    public decimal? InputPerMillion { get; init; }

    /// <summary>Gets the output price in USD per million tokens, or <see langword="null"/> to keep the standard one.</summary>
    public decimal? OutputPerMillion { get; init; }

    /// <summary>Gets the cached input price in USD per million tokens, or <see langword="null"/> to keep the standard one.</summary>
    public decimal? CachedInputPerMillion { get; init; }

    /// <summary>Gets the cache write price in USD per million tokens, or <see langword="null"/> to keep the standard one.</summary>
    public decimal? CacheWritePerMillion { get; init; }

    /// <summary>Gets the 1-hour cache write price in USD per million tokens, or <see langword="null"/> to keep the standard one.</summary>
    public decimal? CacheWrite1HourPerMillion { get; init; }
}
