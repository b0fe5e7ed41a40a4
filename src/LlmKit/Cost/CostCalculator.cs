using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Prices calls from the model registry: uncached input at the input rate; cached
/// input and cache writes (5-minute and 1-hour) at their own rates and never again at the input rate;
/// output at the output rate, reasoning at the reasoning rate when the model has one; a long-context
/// tier reprices the whole request (per cost type, the highest crossed threshold that prices that type
/// wins); batch and other service tiers use their own prices. Any price the call needs that is not known
/// makes the cost unknown, with the reason: never zero.
/// </summary>
/// <remarks>
/// Each <see cref="ModelPricing"/> record is compiled once into integer rates per kind of token and per long-context
/// threshold, and each model name is resolved once per state of a <see cref="ModelRegistry"/>: registering, updating,
/// deactivating or importing models gives the registry a new state, and nothing resolved against an earlier state is used
/// again, so a changed price applies to the next call. Price records are immutable; change prices by registering the model
/// again with a new record (mutating the collections inside a registered record is not supported). Amounts are exact:
/// summed as integers while they fit 64 bits (always, for real prices), in <see cref="decimal"/> otherwise, the same value
/// either way and without trailing zeros. Thread-safe.
/// </remarks>
public sealed class CostCalculator : ICostCalculator
{
    /// <summary>Slots of each cache (a power of two); a collision only costs a lookup.</summary>
    private const int Slots = 64;

    private readonly IModelRegistry _registry;
    private readonly ModelRegistry? _modelRegistry;
    private readonly ResolvedModel?[] _models = new ResolvedModel?[Slots];
    private readonly CostRateTable?[] _tables = new CostRateTable?[Slots];

    /// <summary>Initializes a new instance.</summary>
    /// <param name="registry">Where prices come from.</param>
    public CostCalculator(IModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _modelRegistry = registry as ModelRegistry;
    }

    /// <inheritdoc/>
    public CallCost Calculate(string model, UsageDetails usage, string? tier = null, ModelPricing? customPricing = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(usage);
        CostRateTable? table;
        if (customPricing is not null)
        {
            table = TableFor(customPricing);
        }
        else if (!TryResolve(model, out table, out string? unknownReason))
        {
            return Unknown(unknownReason, tier);
        }

        long input = usage.InputTokenCount ?? 0;
        long cached = usage.CachedInputTokenCount ?? 0;
        ReadCacheWrites(usage, out long write, out long write1h);
        long output = usage.OutputTokenCount ?? 0;
        long reasoning = usage.ReasoningTokenCount ?? 0;
        if (input < 0 || output < 0 || cached < 0 || write < 0 || write1h < 0 || reasoning < 0
            || cached + write > input || write1h > write || reasoning > output)
        {
            return Unknown(string.Create(CultureInfo.InvariantCulture, $"the usage is inconsistent (input {input}, cached {cached}, cache writes {write} of which 1-hour {write1h}, output {output}, reasoning {reasoning}): cached and cache-write tokens must be part of input, reasoning part of output"), tier);
        }

        string tierName = string.IsNullOrEmpty(tier) ? "standard" : tier;
        CostRates rates;
        string? tierApplied = null;
        switch (ReferenceEquals(tierName, "standard") ? tierName : tierName.ToLowerInvariant())
        {
            case "standard":
                rates = table.ForInput(input);
                break;
            case "batch":
                if (table.Batch() is not { } batch)
                {
                    return Unknown($"the registry has no batch prices for model '{model}'", "batch");
                }

                rates = batch;
                break;
            default:
                if (!table.Pricing.ServiceTiers.TryGetValue(tierName, out var tierPricing))
                {
                    return Unknown($"the registry has no '{tierName}' tier prices for model '{model}'; import a price file that has them or add them under Pricing:ServiceTiers:{tierName}", tierName);
                }

                rates = TableFor(tierPricing).ForInput(input);

                // A long-context tier of a service tier names both (flex_above_272k).
                tierApplied = rates.TierName is { } longContext ? string.Concat(tierName.ToLowerInvariant(), "_", longContext) : tierName.ToLowerInvariant();
                break;
        }

        long uncached = input - cached - write;
        long write5m = write - write1h;
        bool splitReasoning = rates.Reasoning.IsKnown;
        long billedOutput = splitReasoning ? output - reasoning : output;
        long billedReasoning = splitReasoning ? reasoning : 0;
        tierApplied ??= rates.TierName ?? tierName;

        // The common case: every kind with tokens has a rate, and every product and the sum fit 64 bits.
        var sum = default(CostArithmetic.ExactSum);
        int lines = 0;
        if (TryAdd(ref sum, ref lines, uncached, rates.Input)
            && TryAdd(ref sum, ref lines, cached, rates.CachedInput)
            && TryAdd(ref sum, ref lines, write5m, rates.CacheWrite)
            && TryAdd(ref sum, ref lines, write1h, rates.CacheWrite1Hour)
            && TryAdd(ref sum, ref lines, billedOutput, rates.Output)
            && TryAdd(ref sum, ref lines, billedReasoning, rates.Reasoning))
        {
            return new CallCost
            {
                Total = sum.Value,
                Items = lines == 0 ? [] : new CostBreakdown(rates, lines, uncached, cached, write5m, write1h, billedOutput, billedReasoning),
                Tier = tierApplied,
            };
        }

        return PriceInDecimal(model, rates, tierName, tierApplied, uncached, cached, write5m, write1h, billedOutput, billedReasoning);
    }

    /// <summary>An unknown cost that reports the tier asked for (never <c>standard</c> for a flex or priority call).</summary>
    private static CallCost Unknown(string reason, string? tier)
        => string.IsNullOrEmpty(tier) || string.Equals(tier, "standard", StringComparison.OrdinalIgnoreCase)
            ? CallCost.Unknown(reason)
            : new CallCost { UnknownReason = reason, Tier = tier.ToLowerInvariant() };

    /// <summary>tokens × rate ÷ 10^6, exactly, with trailing zeros trimmed (0.0030000 becomes 0.003).</summary>
    /// <param name="tokens">The token count.</param>
    /// <param name="rate">USD per million tokens.</param>
    /// <returns>The amount in USD.</returns>
    internal static decimal PerMillionTokens(long tokens, decimal rate) => CostArithmetic.PerMillionTokens(tokens, rate);

    /// <summary>Adds one line to the integer sum; false when the line has no rate or does not fit 64 bits.</summary>
    private static bool TryAdd(ref CostArithmetic.ExactSum sum, ref int lines, long tokens, in CostRate rate)
    {
        if (tokens == 0)
        {
            return true;
        }

        if (!rate.TryMultiply(tokens, out ulong mantissa) || !sum.TryAdd(mantissa, rate.Scale))
        {
            return false;
        }

        lines++;
        return true;
    }

    /// <summary>
    /// The general case: a kind with tokens but no rate (the cost is unknown and names it), or amounts past 64 bits (summed
    /// in decimal). The lines are built at once, in the same order, with the same amounts.
    /// </summary>
    private static CallCost PriceInDecimal(string model, CostRates rates, string tierName, string tierApplied, long uncached, long cached, long write5m, long write1h, long billedOutput, long billedReasoning)
    {
        int count = (uncached > 0 ? 1 : 0) + (cached > 0 ? 1 : 0) + (write5m > 0 ? 1 : 0) + (write1h > 0 ? 1 : 0) + (billedOutput > 0 ? 1 : 0) + (billedReasoning > 0 ? 1 : 0);
        var lineItems = new LineItems(count);
        lineItems.Add("input", uncached, rates.Input);
        lineItems.Add("cached_input", cached, rates.CachedInput);
        lineItems.Add("cache_write", write5m, rates.CacheWrite);
        lineItems.Add("cache_write_1h", write1h, rates.CacheWrite1Hour);
        lineItems.Add("output", billedOutput, rates.Output);
        lineItems.Add("reasoning", billedReasoning, rates.Reasoning);
        if (lineItems.Missing is { } missing)
        {
            return new CallCost { UnknownReason = $"the registry has no {missing.Replace('_', ' ')} price for model '{model}' ({tierName} tier)", Tier = tierApplied };
        }

        return new CallCost { Total = CostArithmetic.ScaleDown(lineItems.Total, 0), Items = lineItems.Items, Tier = tierApplied };
    }

    /// <summary>
    /// The compiled prices of a model: from the slot cache when the name was resolved against the registry's current
    /// state, otherwise looked up (in that one state) and cached.
    /// </summary>
    private bool TryResolve(string model, [NotNullWhen(true)] out CostRateTable? table, [NotNullWhen(false)] out string? unknownReason)
    {
        unknownReason = null;
        ModelDescriptor? descriptor;
        if (_modelRegistry is { } registry)
        {
            var snapshot = registry.Current;
            ref var slot = ref _models[ModelSlot(model)];
            var resolved = Volatile.Read(ref slot);
            if (resolved is not null && ReferenceEquals(resolved.Snapshot, snapshot) && (ReferenceEquals(resolved.Name, model) || string.Equals(resolved.Name, model, StringComparison.Ordinal)))
            {
                table = resolved.Table;
                return true;
            }

            if (!snapshot.TryGet(model, out descriptor))
            {
                table = null;
                unknownReason = $"model '{model}' is not in the model registry; register it or pass custom prices";
                return false;
            }

            if (descriptor.Pricing is not { } registered)
            {
                table = null;
                unknownReason = $"the registry has no prices for model '{model}'";
                return false;
            }

            table = TableFor(registered);
            Volatile.Write(ref slot, new ResolvedModel(model, snapshot, table));
            return true;
        }

        // Another registry: ask it every time; only the compiled prices are cached, by price record.
        if (!_registry.TryGet(model, out descriptor))
        {
            table = null;
            unknownReason = $"model '{model}' is not in the model registry; register it or pass custom prices";
            return false;
        }

        if (descriptor.Pricing is not { } pricing)
        {
            table = null;
            unknownReason = $"the registry has no prices for model '{model}'";
            return false;
        }

        table = TableFor(pricing);
        return true;
    }

    /// <summary>The compiled form of a price record: cached by the record's identity (records are immutable), compiled on a miss.</summary>
    private CostRateTable TableFor(ModelPricing pricing)
    {
        ref var slot = ref _tables[RuntimeHelpers.GetHashCode(pricing) & (Slots - 1)];
        var table = Volatile.Read(ref slot);
        if (table is null || !ReferenceEquals(table.Pricing, pricing))
        {
            table = CostRateTable.Compile(pricing);
            Volatile.Write(ref slot, table);
        }

        return table;
    }

    /// <summary>A slot from a few characters of the name (no full hash); equal names always share a slot.</summary>
    private static int ModelSlot(string model)
    {
        int length = model.Length;
        if (length == 0)
        {
            return 0;
        }

        uint hash = (uint)length * 0x9E3779B1u;
        hash = (hash ^ model[length - 1]) * 0x85EBCA6Bu;
        hash = (hash ^ model[length >> 1]) * 0xC2B2AE35u;
        hash = (hash ^ model[length / 3]) * 0x27D4EB2Fu;
        return (int)(hash >> 26) & (Slots - 1);
    }

    /// <summary>
    /// The cache-write counts (<see cref="LlmUsageKeys.CacheWriteInputTokens"/>, <see cref="LlmUsageKeys.CacheWrite1HourInputTokens"/>).
    /// A small dictionary is scanned for the keys by reference (providers use the constants); a key of the same length that
    /// is another string, or a large dictionary, is looked up, so the case-insensitive lookup decides as before.
    /// </summary>
    private static void ReadCacheWrites(UsageDetails usage, out long write, out long write1h)
    {
        write = 0;
        write1h = 0;
        if (usage.AdditionalCounts is not { Count: > 0 } counts)
        {
            return;
        }

        if (counts.Count <= 4)
        {
            bool lookUp = false;
            foreach (var entry in counts)
            {
                string key = entry.Key;
                if (ReferenceEquals(key, LlmUsageKeys.CacheWriteInputTokens))
                {
                    write = entry.Value;
                }
                else if (ReferenceEquals(key, LlmUsageKeys.CacheWrite1HourInputTokens))
                {
                    write1h = entry.Value;
                }
                else if (key.Length == LlmUsageKeys.CacheWriteInputTokens.Length || key.Length == LlmUsageKeys.CacheWrite1HourInputTokens.Length)
                {
                    lookUp = true;
                }
            }

            if (!lookUp)
            {
                return;
            }
        }

        write = counts.TryGetValue(LlmUsageKeys.CacheWriteInputTokens, out long value) ? value : 0;
        write1h = counts.TryGetValue(LlmUsageKeys.CacheWrite1HourInputTokens, out value) ? value : 0;
    }

    /// <summary>A model name resolved against one state of the registry.</summary>
    private sealed class ResolvedModel(string name, ModelRegistry.Snapshot snapshot, CostRateTable table)
    {
        public string Name { get; } = name;

        public ModelRegistry.Snapshot Snapshot { get; } = snapshot;

        public CostRateTable Table { get; } = table;
    }

    /// <summary>
    /// Collects the priced lines without a closure; the first kind without a rate is kept as missing. The total is summed
    /// exactly as an integer count of 10^-<c>scale</c> dollars while it fits 64 bits, falling back to decimal addition
    /// otherwise; either way the same value results.
    /// </summary>
    private struct LineItems(int capacity)
    {
        private int _count;
        private CostArithmetic.ExactSum _sum;
        private decimal _decimalSum;
        private bool _exactSum = true;

        public CostItem[] Items { get; } = capacity == 0 ? [] : new CostItem[capacity];

        public readonly decimal Total => _exactSum ? _sum.Value : _decimalSum;

        public string? Missing { get; private set; }

        public void Add(string kind, long tokens, in CostRate rate)
        {
            if (tokens == 0)
            {
                return;
            }

            if (!rate.IsKnown)
            {
                Missing ??= kind;
                return;
            }

            decimal amount;
            if (rate.TryMultiply(tokens, out ulong mantissa))
            {
                amount = CostArithmetic.Compose(mantissa, rate.Scale);
                if (_exactSum && !_sum.TryAdd(mantissa, rate.Scale))
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
                amount = CostArithmetic.PerMillionTokens(tokens, rate.Value);
                if (_exactSum)
                {
                    _exactSum = false;
                    _decimalSum = SumOfItems();
                }

                _decimalSum += amount;
            }

            Items[_count++] = new CostItem(kind, tokens, rate.Value, amount);
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
    }
}
