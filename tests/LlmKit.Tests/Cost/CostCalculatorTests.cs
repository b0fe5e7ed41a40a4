using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Tests.Cost;

/// <summary>
/// Worked examples computed by hand from the catalog's published prices (USD per million tokens), as
/// written in each test's comment. The calculator never sees these numbers except through the registry.
/// </summary>
public class CostCalculatorTests
{
    private static readonly CostCalculator Calculator = new(ModelRegistry.FromEmbeddedCatalog());

    private static UsageDetails Usage(long input, long output, long cached = 0, long write = 0, long write1h = 0, long reasoning = 0)
    {
        var usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, CachedInputTokenCount = cached, ReasoningTokenCount = reasoning };
        if (write > 0)
        {
            usage.AdditionalCounts = new() { [LlmUsageKeys.CacheWriteInputTokens] = write, [LlmUsageKeys.CacheWrite1HourInputTokens] = write1h };
        }

        return usage;
    }

    [Fact]
    public void Calculate_CachedInput_BilledAtCachedRateAndNeverAgainAtInputRate()
    {
        // gpt-4o: input 2.50, cached 1.25, output 10.00.
        // 600 uncached x 2.50 = 0.0015; 400 cached x 1.25 = 0.0005; 500 output x 10 = 0.005; total 0.007.
        var cost = Calculator.Calculate("gpt-4o", Usage(input: 1000, output: 500, cached: 400));

        Assert.True(cost.IsKnown);
        Assert.Equal(0.007m, cost.Total);
        Assert.Equal([("input", 600L, 0.0015m), ("cached_input", 400L, 0.0005m), ("output", 500L, 0.005m)], cost.Items.Select(i => (i.Kind, i.Tokens, i.Amount)));
        Assert.Equal("standard", cost.Tier);
    }

    [Fact]
    public void Calculate_AnthropicCacheWrites_FiveMinuteAndOneHourAtTheirOwnRates()
    {
        // claude-sonnet-4-20250514: input 3, cached 0.30, write 3.75, write 1h 6, output 15.
        // input 10,000 = 2,000 uncached + 6,000 read + 2,000 written (500 of them 1h).
        // 2000x3 = 0.006; 6000x0.3 = 0.0018; 1500x3.75 = 0.005625; 500x6 = 0.003; 1000x15 = 0.015 -> 0.031425.
        var cost = Calculator.Calculate("claude-sonnet-4-20250514", Usage(input: 10_000, output: 1000, cached: 6000, write: 2000, write1h: 500));

        Assert.Equal(0.031425m, cost.Total);
        Assert.Equal(["input", "cached_input", "cache_write", "cache_write_1h", "output"], cost.Items.Select(i => i.Kind));
    }

    [Fact]
    public void Calculate_LongContextTier_RepricesTheWholeRequest()
    {
        // claude-sonnet-4-20250514 above 200k: input 6, output 22.5. 250,000x6 = 1.5; 1,000x22.5 = 0.0225 -> 1.5225.
        var cost = Calculator.Calculate("claude-sonnet-4-20250514", Usage(input: 250_000, output: 1000));

        Assert.Equal(1.5225m, cost.Total);
        Assert.Equal("above_200k", cost.Tier);
    }

    [Fact]
    public void Calculate_ExactlyAtThreshold_StaysStandard()
    {
        // The tier applies strictly above 200,000: 200,000x3 = 0.6; 1,000x15 = 0.015 -> 0.615.
        var cost = Calculator.Calculate("claude-sonnet-4-20250514", Usage(input: 200_000, output: 1000));

        Assert.Equal(0.615m, cost.Total);
        Assert.Equal("standard", cost.Tier);
    }

    [Fact]
    public void Calculate_LongContextWithCachedInput_UsesTheTiersCachedRate()
    {
        // gpt-5.4 above 272k: input 5, cached 0.5, output 22.5.
        // 300,000 input of which 100,000 cached: 200,000x5 = 1.0; 100,000x0.5 = 0.05; 2,000x22.5 = 0.045 -> 1.095.
        var cost = Calculator.Calculate("gpt-5.4", Usage(input: 300_000, output: 2000, cached: 100_000));

        Assert.Equal(1.095m, cost.Total);
        Assert.Equal("above_272k", cost.Tier);
    }

    [Fact]
    public void Calculate_ReasoningWithoutOwnRate_IsBilledAsOutput()
    {
        // o3: input 2, output 8, no reasoning rate. 1,000x2 = 0.002; 5,000 output (4,000 reasoning) x8 = 0.04 -> 0.042.
        var cost = Calculator.Calculate("o3", Usage(input: 1000, output: 5000, reasoning: 4000));

        Assert.Equal(0.042m, cost.Total);
        Assert.DoesNotContain(cost.Items, i => i.Kind == "reasoning");
    }

    [Fact]
    public void Calculate_ReasoningWithOwnRate_IsItsOwnLine()
    {
        // gemini-2.5-flash: input 0.30, output 2.50, reasoning 2.50.
        // 10,000x0.3 = 0.003; 1,000 visible output x2.5 = 0.0025; 3,000 reasoning x2.5 = 0.0075 -> 0.013.
        var cost = Calculator.Calculate("gemini-2.5-flash", Usage(input: 10_000, output: 4000, reasoning: 3000));

        Assert.Equal(0.013m, cost.Total);
        Assert.Contains(cost.Items, i => i is { Kind: "reasoning", Tokens: 3000, Amount: 0.0075m });
    }

    [Fact]
    public void Calculate_BatchTier_UsesBatchPrices()
    {
        // gpt-4o batch: input 1.25, output 5. 1,000x1.25 = 0.00125; 1,000x5 = 0.005 -> 0.00625.
        var cost = Calculator.Calculate("gpt-4o", Usage(input: 1000, output: 1000), "batch");

        Assert.Equal(0.00625m, cost.Total);
        Assert.Equal("batch", cost.Tier);
    }

    [Fact]
    public void Calculate_UnknownModel_IsUnknownWithReasonNeverZero()
    {
        var cost = Calculator.Calculate("gpt-99-turbo", Usage(input: 1000, output: 1000));

        Assert.False(cost.IsKnown);
        Assert.Null(cost.Total);
        Assert.Empty(cost.Items);
        Assert.Contains("'gpt-99-turbo'", cost.UnknownReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Calculate_ModelWithoutThePriceTheCallNeeds_IsUnknown()
    {
        // deepseek-reasoner has no cache-write price (deepseek-chat's is 0.0, a real zero); a call that wrote to the cache cannot be priced.
        var cost = Calculator.Calculate("deepseek/deepseek-reasoner", Usage(input: 1000, output: 10, write: 500));

        Assert.False(cost.IsKnown);
        Assert.Contains("cache write", cost.UnknownReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Calculate_TierWithoutPrices_IsUnknownNamingTheTier()
    {
        var flex = Calculator.Calculate("gpt-4o", Usage(input: 10, output: 10), "flex");
        var batch = Calculator.Calculate("claude-haiku-4-5", Usage(input: 10, output: 10), "batch");

        Assert.Contains("'flex'", flex.UnknownReason, StringComparison.Ordinal);
        Assert.Contains("batch", batch.UnknownReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Calculate_CustomPrices_OverrideTheRegistryForThisCall()
    {
        // 1,000,000 x 1 + 1,000,000 x 2 = 3.
        var cost = Calculator.Calculate("anything", Usage(input: 1_000_000, output: 1_000_000), customPricing: new ModelPricing { InputPerMillion = 1m, OutputPerMillion = 2m });

        Assert.Equal(3m, cost.Total);
    }

    [Fact]
    public void Calculate_ServiceTierFromConfiguredPrices_IsUsed()
    {
        // priority: 1,000 x 5 + 1,000 x 20 -> 0.025.
        var pricing = new ModelPricing { InputPerMillion = 2.5m, OutputPerMillion = 10m, ServiceTiers = new Dictionary<string, ModelPricing> { ["priority"] = new() { InputPerMillion = 5m, OutputPerMillion = 20m } } };

        var cost = Calculator.Calculate("x", Usage(input: 1000, output: 1000), "priority", pricing);

        Assert.Equal(0.025m, cost.Total);
    }

    [Fact]
    public void Calculate_InconsistentUsage_IsUnknownRatherThanWrong()
    {
        var cost = Calculator.Calculate("gpt-4o", Usage(input: 100, output: 10, cached: 500));

        Assert.False(cost.IsKnown);
        Assert.Contains("inconsistent", cost.UnknownReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Calculate_ZeroUsage_IsKnownZero()
    {
        var cost = Calculator.Calculate("gpt-4o", new UsageDetails());

        Assert.Equal(0m, cost.Total);
        Assert.True(cost.IsKnown);
    }

    [Fact]
    public void AddLlmKit_RegistersCostCalculatorOverTheAppRegistry()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.Configure(o => o.Catalog["house"] = new ModelCatalogEntryOptions { Provider = "local", Pricing = new ModelPricing { InputPerMillion = 1m, OutputPerMillion = 1m } }));
        using var sp = services.BuildServiceProvider();

        var cost = sp.GetRequiredService<ICostCalculator>().Calculate("house", Usage(input: 500_000, output: 500_000));

        Assert.Equal(1m, cost.Total);
    }

    [Theory]
    [InlineData(1200L, "2.5", "0.003")]
    [InlineData(1234L, "0.15", "0.0001851")]
    [InlineData(1_000_000L, "10", "10")]
    [InlineData(0L, "2.50", "0")]
    [InlineData(7L, "0.0000000000000000000001", "0.0000000000000000000000000007")]
    [InlineData(7L, "0.00000000000000000000001", "0.0000000000000000000000000001")]
    public void PerMillionTokens_IsExactWithoutTrailingZeros(long tokens, string rate, string expected)
    {
        // The 10^6 division is done by raising the scale; past 28 decimal places it falls back to division.
        decimal amount = CostCalculator.PerMillionTokens(tokens, decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(expected, amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Calculate_Total_HasNoTrailingZeros()
    {
        // gpt-4o: 1000 x 2.50 = 0.0025, 500 x 10 = 0.005: total 0.0075 printed as such, not 0.00750000.
        var cost = Calculator.Calculate("gpt-4o", Usage(input: 1000, output: 500));

        Assert.Equal("0.0075", cost.Total!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Calculate_RandomUsageAndPrices_EqualsDecimalDivisionWithoutTrailingZeros()
    {
        // Seed 20261125. Reference: each line as tokens x rate / 1,000,000 by decimal division, summed.
        var random = new Random(20261125);
        decimal[] rates = [0m, 0.075m, 0.15m, 0.3m, 1.25m, 2.5m, 3m, 3.75m, 6m, 10m, 15m, 22.5m, 75m, 0.0375m, 1.234567m];
        for (int i = 0; i < 2_000; i++)
        {
            var pricing = new ModelPricing
            {
                InputPerMillion = rates[random.Next(rates.Length)],
                CachedInputPerMillion = rates[random.Next(rates.Length)],
                CacheWritePerMillion = rates[random.Next(rates.Length)],
                CacheWrite1HourPerMillion = rates[random.Next(rates.Length)],
                OutputPerMillion = rates[random.Next(rates.Length)],
            };
            long write1h = random.Next(0, 5_000), write = write1h + random.Next(0, 5_000), cached = random.Next(0, 50_000);
            long input = cached + write + random.Next(0, 2_000_000);
            long output = random.Next(0, 100_000);

            var cost = Calculator.Calculate("random", Usage(input, output, cached, write, write1h), customPricing: pricing);

            decimal expected = ((input - cached - write) * pricing.InputPerMillion!.Value / 1_000_000m)
                + (cached * pricing.CachedInputPerMillion!.Value / 1_000_000m)
                + ((write - write1h) * pricing.CacheWritePerMillion!.Value / 1_000_000m)
                + (write1h * pricing.CacheWrite1HourPerMillion!.Value / 1_000_000m)
                + (output * pricing.OutputPerMillion!.Value / 1_000_000m);
            Assert.Equal(expected, cost.Total);
            foreach (var item in cost.Items)
            {
                Assert.Equal(item.Tokens * item.UsdPerMillionTokens / 1_000_000m, item.Amount);
                string text = item.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Assert.False(text.Contains('.', StringComparison.Ordinal) && text.EndsWith('0'), text);
            }

            string total = cost.Total!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.False(total.Contains('.', StringComparison.Ordinal) && total.EndsWith('0'), total);
        }
    }
}
