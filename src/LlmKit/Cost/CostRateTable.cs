using System.Globalization;

namespace LlmKit;

/// <summary>
/// One <see cref="ModelPricing"/> compiled for the cost calculator, built once per price record: the standard rates, the
/// rates above each long-context threshold (already resolved per cost type, so a call only compares its prompt size with
/// the thresholds), and the batch rates (derived on first use). <see cref="ModelPricing"/> is an immutable record, so a
/// table belongs to exactly one price record (<see cref="Pricing"/>) and is never out of date: new prices are a new record.
/// </summary>
internal sealed class CostRateTable
{
    /// <summary>Stands for "the pricing has no batch prices" once that is known.</summary>
    private static readonly CostRates NoBatchPrices = new(null, null, null, null, null, null, null);

    private readonly long[] _thresholds;
    private readonly CostRates[] _aboveThreshold;
    private CostRates? _batch;

    private CostRateTable(ModelPricing pricing, CostRates standard, long[] thresholds, CostRates[] aboveThreshold)
    {
        Pricing = pricing;
        Standard = standard;
        _thresholds = thresholds;
        _aboveThreshold = aboveThreshold;
    }

    /// <summary>Gets the price record this table was compiled from.</summary>
    public ModelPricing Pricing { get; }

    /// <summary>Gets the rates below every long-context threshold.</summary>
    public CostRates Standard { get; }

    /// <summary>Compiles a price record.</summary>
    /// <param name="pricing">The prices.</param>
    /// <returns>The table.</returns>
    public static CostRateTable Compile(ModelPricing pricing)
    {
        var rates = DecimalRates.From(pricing);
        var tiers = pricing.LongContextTiers;
        if (tiers.Count == 0)
        {
            return new CostRateTable(pricing, rates.ToCostRates(), [], []);
        }

        // Between two consecutive thresholds the same tiers are crossed, so the rates just above each threshold hold
        // up to the next one. A threshold no prompt can exceed is left out.
        var thresholds = new SortedSet<long>();
        for (int i = 0; i < tiers.Count; i++)
        {
            if (tiers[i].AboveInputTokens < long.MaxValue)
            {
                thresholds.Add(tiers[i].AboveInputTokens);
            }
        }

        long[] ordered = [.. thresholds];
        var above = new CostRates[ordered.Length];
        for (int i = 0; i < ordered.Length; i++)
        {
            above[i] = rates.WithLongContext(tiers, ordered[i] + 1).ToCostRates();
        }

        return new CostRateTable(pricing, rates.ToCostRates(), ordered, above);
    }

    /// <summary>The standard-tier rates for a prompt of <paramref name="inputTokens"/> tokens: the long-context rates above the highest threshold it exceeds.</summary>
    /// <param name="inputTokens">The prompt size.</param>
    /// <returns>The rates.</returns>
    public CostRates ForInput(long inputTokens)
    {
        long[] thresholds = _thresholds;
        for (int i = thresholds.Length - 1; i >= 0; i--)
        {
            if (inputTokens > thresholds[i])
            {
                return _aboveThreshold[i];
            }
        }

        return Standard;
    }

    /// <summary>The batch rates (cached input and cache writes get the batch discount of input), or <see langword="null"/> when the pricing has no batch prices.</summary>
    /// <returns>The rates, or <see langword="null"/>.</returns>
    public CostRates? Batch()
    {
        var batch = Volatile.Read(ref _batch);
        if (batch is null)
        {
            // Derived on first use: the division can only fail for absurd prices, and then only batch calls fail, as before.
            var pricing = Pricing;
            batch = pricing.BatchInputPerMillion is not { } batchIn || pricing.BatchOutputPerMillion is not { } batchOut || pricing.InputPerMillion is not { } standardIn || standardIn == 0
                ? NoBatchPrices
                : (DecimalRates.From(pricing).Scaled(batchIn / standardIn) with { Input = batchIn, Output = batchOut, Reasoning = pricing.ReasoningPerMillion is null ? null : batchOut }).ToCostRates();
            Volatile.Write(ref _batch, batch);
        }

        return ReferenceEquals(batch, NoBatchPrices) ? null : batch;
    }

    /// <summary>The rates as the price records hold them, for deriving tiers.</summary>
    private readonly record struct DecimalRates(decimal? Input, decimal? CachedInput, decimal? CacheWrite, decimal? CacheWrite1Hour, decimal? Output, decimal? Reasoning, string? TierName)
    {
        public static DecimalRates From(ModelPricing p) => new(p.InputPerMillion, p.CachedInputPerMillion, p.CacheWritePerMillion, p.CacheWrite1HourPerMillion, p.OutputPerMillion, p.ReasoningPerMillion, null);

        public CostRates ToCostRates() => new(Input, CachedInput, CacheWrite, CacheWrite1Hour, Output, Reasoning, TierName);

        public DecimalRates Scaled(decimal factor) => this with
        {
            CachedInput = CachedInput * factor,
            CacheWrite = CacheWrite * factor,
            CacheWrite1Hour = CacheWrite1Hour * factor,
        };

        /// <summary>Per cost type, the highest threshold the prompt crosses (strictly) that prices that type wins.</summary>
        public DecimalRates WithLongContext(IReadOnlyList<LongContextPricingTier> tiers, long inputTokens)
        {
            var result = this;
            bool input = false, output = false, cachedInput = false, cacheWrite = false, cacheWrite1Hour = false;
            long? crossed = null;
            for (int i = tiers.Count - 1; i >= 0; i--)
            {
                var tier = tiers[i];
                if (inputTokens <= tier.AboveInputTokens)
                {
                    continue;
                }

                crossed ??= tier.AboveInputTokens;
                if (!input && tier.InputPerMillion is { } inputRate)
                {
                    result = result with { Input = inputRate };
                    input = true;
                }

                if (!output && tier.OutputPerMillion is { } outputRate)
                {
                    result = result with { Output = outputRate, Reasoning = Reasoning is null ? null : outputRate };
                    output = true;
                }

                if (!cachedInput && tier.CachedInputPerMillion is { } cachedRate)
                {
                    result = result with { CachedInput = cachedRate };
                    cachedInput = true;
                }

                if (!cacheWrite && tier.CacheWritePerMillion is { } writeRate)
                {
                    result = result with { CacheWrite = writeRate };
                    cacheWrite = true;
                }

                if (!cacheWrite1Hour && tier.CacheWrite1HourPerMillion is { } write1HourRate)
                {
                    result = result with { CacheWrite1Hour = write1HourRate };
                    cacheWrite1Hour = true;
                }
            }

            return crossed is { } threshold
                ? result with { TierName = string.Create(CultureInfo.InvariantCulture, $"above_{threshold / 1000}k") }
                : result;
        }
    }
}
