using System.Collections;

namespace LlmKit;

/// <summary>
/// The itemised lines of a cost (<see cref="CallCost.Items"/>), held as the token count of each kind and the rates that
/// priced them; the <see cref="CostItem"/>s, with their decimal amounts, are built on first access and kept. Reading it
/// gives exactly the lines an array would hold (same kinds, order, counts, rates and amounts), so pricing a call costs
/// one small object whatever the number of lines, and callers that only need the total never pay for the lines.
/// </summary>
internal sealed class CostBreakdown : IReadOnlyList<CostItem>
{
    private readonly CostRates _rates;
    private readonly long _input;
    private readonly long _cachedInput;
    private readonly long _cacheWrite;
    private readonly long _cacheWrite1Hour;
    private readonly long _output;
    private readonly long _reasoning;
    private CostItem[]? _items;

    /// <summary>Initializes the lines; a kind with no tokens has no line.</summary>
    /// <param name="rates">The rates; every kind with tokens has a rate the integer path can use.</param>
    /// <param name="count">How many of the token counts are not zero.</param>
    /// <param name="input">Uncached input tokens.</param>
    /// <param name="cachedInput">Cached input tokens.</param>
    /// <param name="cacheWrite">5-minute cache-write tokens.</param>
    /// <param name="cacheWrite1Hour">1-hour cache-write tokens.</param>
    /// <param name="output">Output tokens billed at the output rate (all of output when reasoning is billed as output).</param>
    /// <param name="reasoning">Reasoning tokens billed at the reasoning rate (zero when reasoning is billed as output).</param>
    public CostBreakdown(CostRates rates, int count, long input, long cachedInput, long cacheWrite, long cacheWrite1Hour, long output, long reasoning)
    {
        _rates = rates;
        Count = count;
        _input = input;
        _cachedInput = cachedInput;
        _cacheWrite = cacheWrite;
        _cacheWrite1Hour = cacheWrite1Hour;
        _output = output;
        _reasoning = reasoning;
    }

    /// <inheritdoc/>
    public int Count { get; }

    /// <inheritdoc/>
    public CostItem this[int index] => Items()[index];

    /// <inheritdoc/>
    public IEnumerator<CostItem> GetEnumerator() => ((IEnumerable<CostItem>)Items()).GetEnumerator();

    /// <inheritdoc/>
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private CostItem[] Items() => Volatile.Read(ref _items) ?? Build();

    private CostItem[] Build()
    {
        var items = new CostItem[Count];
        int count = 0;
        var rates = _rates;
        Add(items, ref count, "input", _input, rates.Input);
        Add(items, ref count, "cached_input", _cachedInput, rates.CachedInput);
        Add(items, ref count, "cache_write", _cacheWrite, rates.CacheWrite);
        Add(items, ref count, "cache_write_1h", _cacheWrite1Hour, rates.CacheWrite1Hour);
        Add(items, ref count, "output", _output, rates.Output);
        Add(items, ref count, "reasoning", _reasoning, rates.Reasoning);
        return Interlocked.CompareExchange(ref _items, items, null) ?? items;
    }

    private static void Add(CostItem[] items, ref int count, string kind, long tokens, in CostRate rate)
    {
        if (tokens != 0)
        {
            items[count++] = new CostItem(kind, tokens, rate.Value, rate.Amount(tokens));
        }
    }
}
