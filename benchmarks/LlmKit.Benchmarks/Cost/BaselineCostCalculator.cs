using System.Globalization;
using Microsoft.Extensions.AI;

namespace LlmKit.Benchmarks;

/// <summary>
/// The cost calculator as it was before the precomputed rate tables (commit 0c254b3), kept verbatim apart from its name
/// as the side-by-side baseline of <see cref="CostCalculatorBenchmarks"/>.
/// Prices calls from the model registry (ARCHITECTURE section 7): uncached input at the input rate; cached
/// input and cache writes (5-minute and 1-hour) at their own rates and never again at the input rate;
/// output at the output rate, reasoning at the reasoning rate when the model has one; a long-context
/// tier reprices the whole request (per cost type, the highest crossed threshold that prices that type
/// wins); batch and other service tiers use their own prices. Any price the call needs that is not known
/// makes the cost unknown, with the reason: never zero.
/// </summary>
public sealed class BaselineCostCalculator : ICostCalculator
{
    private readonly IModelRegistry _registry;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="registry">Where prices come from.</param>
    public BaselineCostCalculator(IModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
    }

    /// <inheritdoc/>
    public CallCost Calculate(string model, UsageDetails usage, string? tier = null, ModelPricing? customPricing = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(usage);
        var pricing = customPricing;
        if (pricing is null)
        {
            if (!_registry.TryGet(model, out var descriptor))
            {
                return CallCost.Unknown($"model '{model}' is not in the model registry; register it or pass custom prices");
            }

            pricing = descriptor.Pricing;
            if (pricing is null)
            {
                return CallCost.Unknown($"the registry has no prices for model '{model}'");
            }
        }

        long input = usage.InputTokenCount ?? 0;
        long cached = usage.CachedInputTokenCount ?? 0;
        long write = Count(usage, LlmUsageKeys.CacheWriteInputTokens);
        long write1h = Count(usage, LlmUsageKeys.CacheWrite1HourInputTokens);
        long output = usage.OutputTokenCount ?? 0;
        long reasoning = usage.ReasoningTokenCount ?? 0;
        if (input < 0 || output < 0 || cached < 0 || write < 0 || write1h < 0 || reasoning < 0
            || cached + write > input || write1h > write || reasoning > output)
        {
            return CallCost.Unknown(string.Create(CultureInfo.InvariantCulture, $"the usage is inconsistent (input {input}, cached {cached}, cache writes {write} of which 1-hour {write1h}, output {output}, reasoning {reasoning}): cached and cache-write tokens must be part of input, reasoning part of output"));
        }

        string tierName = string.IsNullOrEmpty(tier) ? "standard" : tier;
        Rates rates;
        switch (ReferenceEquals(tierName, "standard") ? tierName : tierName.ToLowerInvariant())
        {
            case "standard":
                rates = Rates.From(pricing).WithLongContext(pricing.LongContextTiers, input);
                break;
            case "batch":
                if (pricing.BatchInputPerMillion is not { } batchIn || pricing.BatchOutputPerMillion is not { } batchOut || pricing.InputPerMillion is not { } standardIn || standardIn == 0)
                {
                    return CallCost.Unknown($"the registry has no batch prices for model '{model}'");
                }

                // Cached input and cache writes get the batch discount of input.
                rates = Rates.From(pricing).Scaled(batchIn / standardIn) with { Input = batchIn, Output = batchOut, Reasoning = pricing.ReasoningPerMillion is null ? null : batchOut };
                break;
            default:
                if (!pricing.ServiceTiers.TryGetValue(tierName, out var tierPricing))
                {
                    return CallCost.Unknown($"the registry has no '{tierName}' tier prices for model '{model}'; add them under Pricing:ServiceTiers:{tierName}");
                }

                rates = Rates.From(tierPricing).WithLongContext(tierPricing.LongContextTiers, input);
                break;
        }

        bool splitReasoning = rates.Reasoning is not null;
        int lines = (input - cached - write > 0 ? 1 : 0) + (cached > 0 ? 1 : 0) + (write - write1h > 0 ? 1 : 0) + (write1h > 0 ? 1 : 0)
            + (splitReasoning ? (output - reasoning > 0 ? 1 : 0) + (reasoning > 0 ? 1 : 0) : (output > 0 ? 1 : 0));
        var lineItems = new LineItems(lines);
        lineItems.Add("input", input - cached - write, rates.Input);
        lineItems.Add("cached_input", cached, rates.CachedInput);
        lineItems.Add("cache_write", write - write1h, rates.CacheWrite);
        lineItems.Add("cache_write_1h", write1h, rates.CacheWrite1Hour);
        if (rates.Reasoning is { } reasoningRate)
        {
            lineItems.Add("output", output - reasoning, rates.Output);
            lineItems.Add("reasoning", reasoning, reasoningRate);
        }
        else
        {
            lineItems.Add("output", output, rates.Output);
        }

        string? missing = lineItems.Missing;
        if (missing is not null)
        {
            return CallCost.Unknown($"the registry has no {missing.Replace('_', ' ')} price for model '{model}' ({tierName} tier)") with { Tier = rates.TierName ?? tierName };
        }

        return new CallCost { Total = ScaleDown(lineItems.Total, 0), Items = lineItems.Items, Tier = rates.TierName ?? tierName };
    }

    /// <summary>
    /// Collects the priced lines without a closure; the first kind without a rate is kept as missing. The total is summed
    /// exactly as an integer count of 10^-<c>scale</c> dollars while it fits 64 bits (it always does for real prices and
    /// token counts), falling back to decimal addition otherwise; either way the same value results.
    /// </summary>
    private struct LineItems(int capacity)
    {
        private int _count;
        private ulong _sum;
        private int _sumScale;
        private decimal _decimalSum;
        private bool _exactSum = true;

        public CostItem[] Items { get; } = capacity == 0 ? [] : new CostItem[capacity];

        public readonly decimal Total => _exactSum ? Compose(_sum, _sumScale) : _decimalSum;

        public string? Missing { get; private set; }

        public void Add(string kind, long tokens, decimal? rate)
        {
            if (tokens == 0)
            {
                return;
            }

            if (rate is not { } r)
            {
                Missing ??= kind;
                return;
            }

            decimal amount;
            if (TryMultiply(tokens, r, out ulong mantissa, out int scale))
            {
                amount = Compose(mantissa, scale);
                if (_exactSum && !TryAccumulate(mantissa, scale))
                {
                    _exactSum = false;
                    _decimalSum = SumOfItems() + amount;
                }
                else if (!_exactSum)
                {
                    _decimalSum += amount;
                }
            }
            else
            {
                amount = PerMillionTokens(tokens, r);
                if (_exactSum)
                {
                    _exactSum = false;
                    _decimalSum = SumOfItems();
                }

                _decimalSum += amount;
            }

            Items[_count++] = new CostItem(kind, tokens, r, amount);
        }

        private readonly decimal SumOfItems()
        {
            decimal sum = 0m;
            for (int i = 0; i < _count; i++)
            {
                sum += Items[i].Amount;
            }

            return sum;
        }

        /// <summary>Adds mantissa × 10^-scale to the running integer sum, aligning scales; false when 64 bits would overflow.</summary>
        private bool TryAccumulate(ulong mantissa, int scale)
        {
            if (_sum == 0)
            {
                _sum = mantissa;
                _sumScale = scale;
                return true;
            }

            ulong sum = _sum;
            int sumScale = _sumScale;
            if (!Align(ref sum, ref sumScale, ref mantissa, ref scale))
            {
                return false;
            }

            ulong total = sum + mantissa;
            if (total < sum)
            {
                return false;
            }

            _sum = total;
            _sumScale = sumScale;
            return true;
        }

        private static bool Align(ref ulong a, ref int aScale, ref ulong b, ref int bScale)
        {
            while (aScale < bScale)
            {
                if (a > ulong.MaxValue / 10)
                {
                    return false;
                }

                a *= 10;
                aScale++;
            }

            while (bScale < aScale)
            {
                if (b > ulong.MaxValue / 10)
                {
                    return false;
                }

                b *= 10;
                bScale++;
            }

            return true;
        }
    }

    /// <summary>
    /// tokens × rate ÷ 10^6 as a 64-bit mantissa and a scale (the rate's scale plus 6), when the rate's mantissa and the
    /// product fit 64 bits and the scale stays within decimal's 28; otherwise false.
    /// </summary>
    private static bool TryMultiply(long tokens, decimal rate, out ulong mantissa, out int scale)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(rate, bits);
        scale = ((bits[3] >> 16) & 0xFF) + 6;
        mantissa = 0;
        if (tokens < 0 || bits[2] != 0 || bits[3] < 0 || scale > 28)
        {
            return false;
        }

        ulong rateMantissa = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        ulong high = Math.BigMul((ulong)tokens, rateMantissa, out mantissa);
        return high == 0;
    }

    /// <summary>mantissa × 10^-scale with trailing zeros trimmed (0.0030000 becomes 0.003), as <see cref="ScaleDown"/> does.</summary>
    private static decimal Compose(ulong mantissa, int scale)
    {
        if (mantissa == 0)
        {
            return 0m;
        }

        while (scale > 0 && mantissa % 10 == 0)
        {
            mantissa /= 10;
            scale--;
        }

        return new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, false, (byte)scale);
    }

    /// <summary>
    /// tokens × rate ÷ 10^6, exactly, with trailing zeros trimmed (0.0030000 becomes 0.003). Dividing by 10^6 is done by
    /// raising the scale of the product, which is exact and several times faster than decimal division.
    /// </summary>
    internal static decimal PerMillionTokens(long tokens, decimal rate) => ScaleDown(tokens * rate, 6);

    private static decimal ScaleDown(decimal value, int digits)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        int scale = ((bits[3] >> 16) & 0xFF) + digits;
        if (scale > 28)
        {
            // Past decimal's 28 digits of scale: divide (rare; rounds like decimal division does).
            for (int i = 0; i < digits; i++)
            {
                value /= 10m;
            }

            return value;
        }

        if (bits[2] != 0)
        {
            return new decimal(bits[0], bits[1], bits[2], value < 0, (byte)scale);
        }

        ulong mantissa = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        if (mantissa == 0)
        {
            return 0m;
        }

        while (scale > 0 && mantissa % 10 == 0)
        {
            mantissa /= 10;
            scale--;
        }

        return new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, value < 0, (byte)scale);
    }

    private static long Count(UsageDetails usage, string key)
        => usage.AdditionalCounts is { } counts && counts.TryGetValue(key, out long value) ? value : 0;

    /// <summary>Long-context tier names by threshold (<c>above_200k</c>), built once.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<long, string> TierNames = new();

    private readonly record struct Rates(decimal? Input, decimal? CachedInput, decimal? CacheWrite, decimal? CacheWrite1Hour, decimal? Output, decimal? Reasoning, string? TierName)
    {
        public static Rates From(ModelPricing p) => new(p.InputPerMillion, p.CachedInputPerMillion, p.CacheWritePerMillion, p.CacheWrite1HourPerMillion, p.OutputPerMillion, p.ReasoningPerMillion, null);

        public Rates Scaled(decimal factor) => this with
        {
            CachedInput = CachedInput * factor,
            CacheWrite = CacheWrite * factor,
            CacheWrite1Hour = CacheWrite1Hour * factor,
        };

        /// <summary>Per cost type, the highest threshold the prompt crosses (strictly) that prices that type wins.</summary>
        public Rates WithLongContext(IReadOnlyList<LongContextPricingTier> tiers, long inputTokens)
        {
            if (tiers.Count == 0)
            {
                return this;
            }

            var result = this;
            bool input = false, output = false, cachedInput = false, cacheWrite = false;
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
            }

            return crossed is { } threshold
                ? result with { TierName = TierNames.GetOrAdd(threshold, static t => string.Create(CultureInfo.InvariantCulture, $"above_{t / 1000}k")) }
                : result;
        }
    }
}
