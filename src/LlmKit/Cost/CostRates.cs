namespace LlmKit;

/// <summary>
/// The rates that apply to one call once the tier is chosen: one per kind of token, and the long-context tier's name
/// when one applies. Immutable; built once per price record and tier by <see cref="CostRateTable"/>.
/// </summary>
internal sealed class CostRates
{
    /// <summary>Initializes the rates.</summary>
    /// <param name="input">Uncached input.</param>
    /// <param name="cachedInput">Input read from the prompt cache.</param>
    /// <param name="cacheWrite">Input written to the prompt cache (5-minute lifetime).</param>
    /// <param name="cacheWrite1Hour">Input written to the prompt cache with a 1-hour lifetime.</param>
    /// <param name="output">Output.</param>
    /// <param name="reasoning">Reasoning, or <see langword="null"/> to bill reasoning as output.</param>
    /// <param name="tierName">The long-context tier's name (<c>above_200k</c>), or <see langword="null"/>.</param>
    public CostRates(decimal? input, decimal? cachedInput, decimal? cacheWrite, decimal? cacheWrite1Hour, decimal? output, decimal? reasoning, string? tierName)
    {
        Input = new CostRate(input);
        CachedInput = new CostRate(cachedInput);
        CacheWrite = new CostRate(cacheWrite);
        CacheWrite1Hour = new CostRate(cacheWrite1Hour);
        Output = new CostRate(output);
        Reasoning = new CostRate(reasoning);
        TierName = tierName;
    }

    /// <summary>The rate of uncached input (a field, so the hot path reads it in place).</summary>
    public readonly CostRate Input;

    /// <summary>The rate of cached input (a field, so the hot path reads it in place).</summary>
    public readonly CostRate CachedInput;

    /// <summary>The rate of 5-minute cache writes (a field, so the hot path reads it in place).</summary>
    public readonly CostRate CacheWrite;

    /// <summary>The rate of 1-hour cache writes (a field, so the hot path reads it in place).</summary>
    public readonly CostRate CacheWrite1Hour;

    /// <summary>The rate of output (a field, so the hot path reads it in place).</summary>
    public readonly CostRate Output;

    /// <summary>The rate of reasoning; not known when reasoning is billed as output.</summary>
    public readonly CostRate Reasoning;

    /// <summary>Gets the long-context tier's name, or <see langword="null"/> when none applies.</summary>
    public string? TierName { get; }
}
