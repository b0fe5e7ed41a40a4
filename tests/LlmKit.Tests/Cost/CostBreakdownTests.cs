using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Cost;

/// <summary>
/// The lines of a priced call, built on first access. Expected lines computed by hand from the catalog's prices:
/// claude-sonnet-4-5 input 3, cached 0.30, cache write 3.75, cache write 1h 6, output 15 (no reasoning rate);
/// gemini-2.5-flash input 0.30, output 2.50, reasoning 2.50.
/// </summary>
public partial class CostBreakdownTests
{
    private static readonly CostCalculator Calculator = new(ModelRegistry.FromEmbeddedCatalog());

    // input 12,000 = 1,500 uncached + 8,000 read + 2,500 written (500 of them for an hour); output 900 (600 reasoning).
    // 1,500 x 3 = 0.0045; 8,000 x 0.3 = 0.0024; 2,000 x 3.75 = 0.0075; 500 x 6 = 0.003; 900 x 15 = 0.0135.
    private static readonly (string Kind, long Tokens, decimal Rate, decimal Amount)[] ClaudeLines =
    [
        ("input", 1500, 3m, 0.0045m),
        ("cached_input", 8000, 0.3m, 0.0024m),
        ("cache_write", 2000, 3.75m, 0.0075m),
        ("cache_write_1h", 500, 6m, 0.003m),
        ("output", 900, 15m, 0.0135m),
    ];

    private static CallCost ClaudeCall() => Calculator.Calculate("claude-sonnet-4-5", new UsageDetails
    {
        InputTokenCount = 12_000,
        CachedInputTokenCount = 8_000,
        OutputTokenCount = 900,
        ReasoningTokenCount = 600,
        AdditionalCounts = new() { [LlmUsageKeys.CacheWriteInputTokens] = 2_500, [LlmUsageKeys.CacheWrite1HourInputTokens] = 500 },
    });

    [Fact]
    public void Items_AllKinds_LinesInOrderWithRatesAndAmounts()
    {
        var cost = ClaudeCall();

        Assert.Equal(0.0309m, cost.Total);
        Assert.Equal(5, cost.Items.Count);
        Assert.Equal(ClaudeLines, cost.Items.Select(i => (i.Kind, i.Tokens, i.UsdPerMillionTokens, i.Amount)));
    }

    [Fact]
    public void Indexer_EveryPosition_TheLineEnumerationGives()
    {
        var items = ClaudeCall().Items;

        var byIndex = Enumerable.Range(0, items.Count).Select(i => items[i]).ToList();

        Assert.Equal(ClaudeLines.Select(l => l.Kind), byIndex.Select(i => i.Kind));
        Assert.Equal(items, byIndex);
        Assert.Equal(items.ToList(), items.ToList());
    }

    [Fact]
    public void Indexer_PastTheEnd_ThrowsAsAnArrayDoes()
    {
        var items = ClaudeCall().Items;

        Assert.Throws<IndexOutOfRangeException>(() => items[5]);
        Assert.Throws<IndexOutOfRangeException>(() => items[-1]);
    }

    [Fact]
    public void Items_ReasoningWithItsOwnRate_OutputAndReasoningLines()
    {
        // gemini-2.5-flash: 10,000 x 0.3 = 0.003; 1,000 visible output x 2.5 = 0.0025; 3,000 reasoning x 2.5 = 0.0075.
        var cost = Calculator.Calculate("gemini-2.5-flash", new UsageDetails { InputTokenCount = 10_000, OutputTokenCount = 4_000, ReasoningTokenCount = 3_000 });

        Assert.Equal([("input", 10_000L, 0.003m), ("output", 1_000L, 0.0025m), ("reasoning", 3_000L, 0.0075m)], cost.Items.Select(i => (i.Kind, i.Tokens, i.Amount)));
    }

    [Fact]
    public void Items_AmountsWithoutTrailingZeros_AsTheTotal()
    {
        // gpt-4o: 1,000 x 2.50 = 0.0025 (not 0.0025000000), 500 x 10 = 0.005.
        var cost = Calculator.Calculate("gpt-4o", new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500 });

        Assert.Equal(["0.0025", "0.005"], cost.Items.Select(i => i.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Items_ReadFromManyThreadsAtOnce_AllSeeTheSameLines()
    {
        var items = ClaudeCall().Items;

        var seen = Enumerable.Range(0, 8).AsParallel().Select(_ => items.ToArray()).ToList();

        Assert.All(seen, lines => Assert.Equal(ClaudeLines.Select(l => (l.Kind, l.Amount)), lines.Select(i => (i.Kind, i.Amount))));
    }

    [Fact]
    public void Serialize_CallCost_WritesEveryLine()
    {
        string json = JsonSerializer.Serialize(ClaudeCall(), BreakdownJson.Default.CallCost);

        var back = JsonSerializer.Deserialize(json, BreakdownJson.Default.CallCost)!;
        Assert.Equal(0.0309m, back.Total);
        Assert.Equal(ClaudeLines, back.Items.Select(i => (i.Kind, i.Tokens, i.UsdPerMillionTokens, i.Amount)));
    }

    [Fact]
    public void Items_NoTokens_EmptyWithoutBreakdown()
    {
        var cost = Calculator.Calculate("gpt-4o", new UsageDetails());

        Assert.Empty(cost.Items);
        Assert.IsType<CostItem[]>(cost.Items);
    }

    [JsonSerializable(typeof(CallCost))]
    private sealed partial class BreakdownJson : JsonSerializerContext;
}
