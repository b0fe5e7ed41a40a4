using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.AI;

namespace LlmKit.Benchmarks;

/// <summary>
/// One cost calculation from the embedded catalog's prices (issue 5: under 200 ns): a plain call, a call with all five
/// token kinds (input, cached input, cache write, output, reasoning), and a call that crosses a long-context tier. Each
/// is measured with <see cref="BaselineCostCalculator"/> (the calculator before the compiled rate tables) and with
/// <see cref="CostCalculator"/> in the same run; the ratio of each category is new / old. The last row also reads every
/// line of the breakdown, which the new calculator builds on first access.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class CostCalculatorBenchmarks
{
    private readonly UsageDetails _plain = new() { InputTokenCount = 1_200, OutputTokenCount = 350 };

    private readonly UsageDetails _cached = new()
    {
        InputTokenCount = 12_000,
        CachedInputTokenCount = 8_000,
        OutputTokenCount = 900,
        ReasoningTokenCount = 600,
        AdditionalCounts = new() { [LlmUsageKeys.CacheWriteInputTokens] = 2_000 },
    };

    private readonly UsageDetails _longContext = new() { InputTokenCount = 250_000, OutputTokenCount = 2_000 };
    private BaselineCostCalculator _old = null!;
    private CostCalculator _new = null!;

    /// <summary>Loads the embedded catalog and checks that both calculators give the same totals and lines, bit for bit.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();
        _old = new BaselineCostCalculator(registry);
        _new = new CostCalculator(registry);
        foreach (var (model, usage) in new[] { ("gpt-4o", _plain), ("claude-sonnet-4-5", _cached), ("claude-sonnet-4-20250514", _longContext) })
        {
            CallCost before = _old.Calculate(model, usage), after = _new.Calculate(model, usage);
            if (!SameBits(before.Total, after.Total) || before.Tier != after.Tier || before.Items.Count != after.Items.Count
                || !before.Items.Zip(after.Items).All(p => p.First.Kind == p.Second.Kind && p.First.Tokens == p.Second.Tokens && SameBits(p.First.UsdPerMillionTokens, p.Second.UsdPerMillionTokens) && SameBits(p.First.Amount, p.Second.Amount)))
            {
                throw new InvalidOperationException($"The calculators disagree on {model}: {before.Total} vs {after.Total}.");
            }
        }
    }

    /// <summary>gpt-4o, input and output only, before.</summary>
    /// <returns>The cost.</returns>
    [Benchmark(Baseline = true, Description = "old: gpt-4o: input + output")]
    [BenchmarkCategory("plain")]
    public CallCost PlainOld() => _old.Calculate("gpt-4o", _plain);

    /// <summary>gpt-4o, input and output only.</summary>
    /// <returns>The cost.</returns>
    [Benchmark(Description = "new: gpt-4o: input + output")]
    [BenchmarkCategory("plain")]
    public CallCost Plain() => _new.Calculate("gpt-4o", _plain);

    /// <summary>claude-sonnet-4-5 with cache read, cache write and reasoning, before.</summary>
    /// <returns>The cost.</returns>
    [Benchmark(Baseline = true, Description = "old: claude-sonnet-4-5: cached + cache write + reasoning")]
    [BenchmarkCategory("five kinds")]
    public CallCost CachedOld() => _old.Calculate("claude-sonnet-4-5", _cached);

    /// <summary>claude-sonnet-4-5 with cache read, cache write and reasoning.</summary>
    /// <returns>The cost.</returns>
    [Benchmark(Description = "new: claude-sonnet-4-5: cached + cache write + reasoning")]
    [BenchmarkCategory("five kinds")]
    public CallCost Cached() => _new.Calculate("claude-sonnet-4-5", _cached);

    /// <summary>claude-sonnet-4-5 as above, then every line of the breakdown read.</summary>
    /// <returns>The sum of the line amounts.</returns>
    [Benchmark(Description = "new: claude-sonnet-4-5: same, then read every line")]
    [BenchmarkCategory("five kinds")]
    public decimal CachedWithLines()
    {
        decimal sum = 0m;
        var items = _new.Calculate("claude-sonnet-4-5", _cached).Items;
        for (int i = 0; i < items.Count; i++)
        {
            sum += items[i].Amount;
        }

        return sum;
    }

    /// <summary>claude-sonnet-4-20250514 over its 200k long-context threshold, before.</summary>
    /// <returns>The cost.</returns>
    [Benchmark(Baseline = true, Description = "old: claude-sonnet-4-20250514: 250k input, long-context tier")]
    [BenchmarkCategory("long context")]
    public CallCost LongContextOld() => _old.Calculate("claude-sonnet-4-20250514", _longContext);

    /// <summary>claude-sonnet-4-20250514 over its 200k long-context threshold.</summary>
    /// <returns>The cost.</returns>
    [Benchmark(Description = "new: claude-sonnet-4-20250514: 250k input, long-context tier")]
    [BenchmarkCategory("long context")]
    public CallCost LongContext() => _new.Calculate("claude-sonnet-4-20250514", _longContext);

    private static bool SameBits(decimal? a, decimal? b)
        => a is null ? b is null : b is not null && decimal.GetBits(a.Value).AsSpan().SequenceEqual(decimal.GetBits(b.Value));
}
