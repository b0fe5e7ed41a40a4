using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace LlmKit.Benchmarks;

/// <summary>
/// One cost calculation from the embedded catalog's prices (issue 5: under 200 ns): a plain call, a call with
/// cached and cache-write input and reasoning output, and a call that crosses a long-context tier.
/// </summary>
[MemoryDiagnoser]
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
    private CostCalculator _calculator = null!;

    /// <summary>Loads the embedded catalog.</summary>
    [GlobalSetup]
    public void Setup() => _calculator = new CostCalculator(ModelRegistry.FromEmbeddedCatalog());

    /// <summary>gpt-4o, input and output only.</summary>
    /// <returns>The cost.</returns>
    [Benchmark(Baseline = true, Description = "gpt-4o: input + output")]
    public CallCost Plain() => _calculator.Calculate("gpt-4o", _plain);

    /// <summary>claude-sonnet-4-5 with cache read, cache write and reasoning.</summary>
    /// <returns>The cost.</returns>
    [Benchmark(Description = "claude-sonnet-4-5: cached + cache write + reasoning")]
    public CallCost Cached() => _calculator.Calculate("claude-sonnet-4-5", _cached);

    /// <summary>claude-sonnet-4-20250514 over its 200k long-context threshold.</summary>
    /// <returns>The cost.</returns>
    [Benchmark(Description = "claude-sonnet-4-20250514: 250k input, long-context tier")]
    public CallCost LongContext() => _calculator.Calculate("claude-sonnet-4-20250514", _longContext);
}
