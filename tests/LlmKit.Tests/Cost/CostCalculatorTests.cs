using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

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

    private static ModelRegistry Registry(params ModelDescriptor[] models) => new(new ModelCatalogInfo { Source = "test", License = "test", Date = default }, models);

    private static ModelDescriptor Priced(string id, decimal input, decimal output, params string[] aliases)
        => new() { Id = id, Provider = "local", Aliases = aliases, Pricing = new ModelPricing { InputPerMillion = input, OutputPerMillion = output } };

    [Fact]
    public void Calculate_PriceChangedByRegister_NextCallUsesTheNewPrice()
    {
        // 1,000 in x 1 + 1,000 out x 2 = 0.003; after the update 1,000 x 3 + 1,000 x 4 = 0.007.
        var registry = Registry(Priced("house", 1m, 2m));
        var calculator = new CostCalculator(registry);
        Assert.Equal(0.003m, calculator.Calculate("house", Usage(1000, 1000)).Total);
        Assert.Equal(0.003m, calculator.Calculate("house", Usage(1000, 1000)).Total);

        registry.Register(Priced("house", 3m, 4m));

        Assert.Equal(0.007m, calculator.Calculate("house", Usage(1000, 1000)).Total);
        Assert.Equal(0.007m, calculator.Calculate(new string("house".AsSpan()), Usage(1000, 1000)).Total);
    }

    [Fact]
    public void Calculate_AliasRemovedThenGivenToAnotherModel_FollowsTheRegistry()
    {
        // Via the alias: 1,000,000 x 1 = 1 on "a"; unknown once "a" drops it; 1,000,000 x 5 = 5 on "b".
        var registry = Registry(Priced("a", 1m, 1m, "house-latest"));
        var calculator = new CostCalculator(registry);
        Assert.Equal(1m, calculator.Calculate("house-latest", Usage(1_000_000, 0)).Total);

        registry.Register(Priced("a", 1m, 1m));
        var dropped = calculator.Calculate("house-latest", Usage(1_000_000, 0));
        registry.Register(Priced("b", 5m, 5m, "house-latest"));
        var moved = calculator.Calculate("house-latest", Usage(1_000_000, 0));

        Assert.False(dropped.IsKnown);
        Assert.Contains("'house-latest' is not in the model registry", dropped.UnknownReason, StringComparison.Ordinal);
        Assert.Equal(5m, moved.Total);
    }

    [Fact]
    public void Calculate_PricesRemovedByRegister_IsUnknown()
    {
        var registry = Registry(Priced("house", 1m, 2m));
        var calculator = new CostCalculator(registry);
        Assert.True(calculator.Calculate("house", Usage(1000, 1000)).IsKnown);

        registry.Register(new ModelDescriptor { Id = "house", Provider = "local" });
        var cost = calculator.Calculate("house", Usage(1000, 1000));

        Assert.False(cost.IsKnown);
        Assert.Equal("the registry has no prices for model 'house'", cost.UnknownReason);
    }

    [Fact]
    public void Calculate_ModelDeactivatedAndUpdated_PricedAtItsCurrentPrice()
    {
        // Inactive models are still found (their calls may still be metered): 1,000 x 1 + 1,000 x 2 = 0.003;
        // then re-registered inactive with new prices: 1,000 x 10 + 1,000 x 20 = 0.03.
        var registry = Registry(Priced("house", 1m, 2m));
        var calculator = new CostCalculator(registry);
        Assert.Equal(0.003m, calculator.Calculate("house", Usage(1000, 1000)).Total);

        registry.SetActive("house", false);
        var inactive = calculator.Calculate("house", Usage(1000, 1000));
        registry.Register(Priced("house", 10m, 20m) with { IsActive = false });
        var updated = calculator.Calculate("house", Usage(1000, 1000));

        Assert.Equal(0.003m, inactive.Total);
        Assert.Equal(0.03m, updated.Total);
    }

    [Fact]
    public void Calculate_ImportThatFailsHalfway_KeepsThePricesFromBeforeTheImport()
    {
        // The export holds "a-house" at 9/9 and then "z-bad", whose alias is the id of a model of the target: the
        // import registers a-house, fails on z-bad and rolls back, so a-house stays at 1/2: 1,000 x 1 + 1,000 x 2 = 0.003.
        var target = Registry(Priced("a-house", 1m, 2m), Priced("other", 1m, 1m));
        var calculator = new CostCalculator(target);
        Assert.Equal(0.003m, calculator.Calculate("a-house", Usage(1000, 1000)).Total);
        using var export = new MemoryStream();
        Registry(Priced("a-house", 9m, 9m), Priced("z-bad", 1m, 1m, "other")).Export(export);
        export.Position = 0;

        Assert.Throws<LlmKitConfigurationException>(() => target.Import(export));

        Assert.Equal(0.003m, calculator.Calculate("a-house", Usage(1000, 1000)).Total);
    }

    [Fact]
    public void Calculate_CatalogPriceOverriddenInConfiguration_UsesTheOverride()
    {
        // gpt-4o input overridden to 100, output stays the catalog's 10: 1,000 x 100 + 1,000 x 10 = 0.11.
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.Configure(o => o.Catalog["gpt-4o"] = new ModelCatalogEntryOptions { Pricing = new ModelPricing { InputPerMillion = 100m } }));
        using var sp = services.BuildServiceProvider();

        var cost = sp.GetRequiredService<ICostCalculator>().Calculate("gpt-4o", Usage(1000, 1000));

        Assert.Equal(0.11m, cost.Total);
    }

    [Fact]
    public async Task Calculate_PricesUpdatedWhileOtherThreadsCalculate_NeverAnOlderPriceOnceRegisterReturned()
    {
        // Version i prices input at i USD per million, so 1,000,000 input tokens cost exactly i. The writer checks each
        // version right after registering it; readers on the same calculator never see the price go back.
        var registry = Registry(Priced("house", 1m, 0m));
        var calculator = new CostCalculator(registry);
        var usage = Usage(1_000_000, 0);
        const int versions = 300;
        using var done = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            decimal last = 0m;
            int calls = 0;
            while (!done.IsCancellationRequested || calls == 0)
            {
                decimal total = calculator.Calculate("house", usage).Total!.Value;
                if (total < last || total < 1m || total > versions)
                {
                    return $"{total} after {last}";
                }

                last = total;
                calls++;
            }

            return null;
        })).ToArray();

        var writerSaw = new List<decimal>();
        for (int version = 2; version <= versions; version++)
        {
            registry.Register(Priced("house", version, 0m));
            writerSaw.Add(calculator.Calculate("house", usage).Total!.Value);
        }

        await done.CancelAsync();
        string?[] failures = await Task.WhenAll(readers);
        Assert.Equal(Enumerable.Range(2, versions - 1).Select(v => (decimal)v), writerSaw);
        Assert.All(failures, Assert.Null);
    }

    [Fact]
    public void Calculate_RegistryOtherThanModelRegistry_AskedOnEveryCall()
    {
        // 1,000 x 1 + 1,000 x 2 = 0.003, then the registry answers 3/4: 0.007, then it no longer knows the model.
        ModelDescriptor? current = Priced("house", 1m, 2m);
        var registry = Substitute.For<IModelRegistry>();
        registry.TryGet("house", out Arg.Any<ModelDescriptor?>()).Returns(call =>
        {
            call[1] = current;
            return current is not null;
        });
        var calculator = new CostCalculator(registry);
        var first = calculator.Calculate("house", Usage(1000, 1000));

        current = Priced("house", 3m, 4m);
        var second = calculator.Calculate("house", Usage(1000, 1000));
        current = null;
        var third = calculator.Calculate("house", Usage(1000, 1000));

        Assert.Equal(0.003m, first.Total);
        Assert.Equal(0.007m, second.Total);
        Assert.Contains("'house' is not in the model registry", third.UnknownReason, StringComparison.Ordinal);
        registry.Received(3).TryGet("house", out Arg.Any<ModelDescriptor?>());
        registry.DidNotReceiveWithAnyArgs().Register(default!);
        registry.DidNotReceiveWithAnyArgs().SetActive(default!, default);
    }

    [Fact]
    public void Calculate_CustomPricesReusedThenReplaced_EachCallUsesItsOwnRecord()
    {
        // 1,000,000 x 1 + 1,000,000 x 2 = 3 with the first record (twice), 1,000,000 x 4 + 1,000,000 x 2 = 6 with a copy
        // that changes input, then the first record again.
        var first = new ModelPricing { InputPerMillion = 1m, OutputPerMillion = 2m };
        var copy = first with { InputPerMillion = 4m };
        var usage = Usage(1_000_000, 1_000_000);

        decimal?[] totals = [Calculator.Calculate("x", usage, customPricing: first).Total, Calculator.Calculate("x", usage, customPricing: first).Total, Calculator.Calculate("x", usage, customPricing: copy).Total, Calculator.Calculate("x", usage, customPricing: first).Total];

        Assert.Equal([3m, 3m, 6m, 3m], totals);
    }

    [Fact]
    public void Calculate_ManyModelsInTurn_EachAtItsOwnPrice()
    {
        // 500 models (more than the calculator keeps at hand) "m-i" priced i per million input: 1,000,000 tokens cost i.
        var registry = Registry([.. Enumerable.Range(1, 500).Select(i => Priced($"m-{i}", i, 0m))]);
        var calculator = new CostCalculator(registry);
        var usage = Usage(1_000_000, 0);

        for (int round = 0; round < 2; round++)
        {
            for (int i = 1; i <= 500; i++)
            {
                Assert.Equal(i, calculator.Calculate($"m-{i}", usage).Total);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Calculate_CacheWriteKeyNotTheSharedConstant_IsStillCounted(bool upperCase)
    {
        // Keys read back from JSON are other string instances, and the dictionary ignores case.
        // input 1,000 of which 400 written to the cache (100 for an hour): 600 x 1 + 300 x 2 + 100 x 4 = 0.0016.
        string write = new(LlmUsageKeys.CacheWriteInputTokens.AsSpan());
        string write1h = new(LlmUsageKeys.CacheWrite1HourInputTokens.AsSpan());
        var usage = new UsageDetails
        {
            InputTokenCount = 1000,
            AdditionalCounts = new() { [upperCase ? write.ToUpperInvariant() : write] = 400, [upperCase ? write1h.ToUpperInvariant() : write1h] = 100 },
        };
        var pricing = new ModelPricing { InputPerMillion = 1m, CacheWritePerMillion = 2m, CacheWrite1HourPerMillion = 4m, OutputPerMillion = 1m };

        var cost = Calculator.Calculate("x", usage, customPricing: pricing);

        Assert.Equal(0.0016m, cost.Total);
        Assert.Equal([("input", 600L), ("cache_write", 300L), ("cache_write_1h", 100L)], cost.Items.Select(i => (i.Kind, i.Tokens)));
    }

    [Fact]
    public void Calculate_CacheWritesAmongManyOtherCounts_AreFound()
    {
        // Five other counts before the cache writes: 600 x 1 + 400 x 2 = 0.0014.
        var usage = new UsageDetails { InputTokenCount = 1000, AdditionalCounts = [] };
        for (int i = 0; i < 5; i++)
        {
            usage.AdditionalCounts[$"provider_count_{i}"] = 7;
        }

        usage.AdditionalCounts[LlmUsageKeys.CacheWriteInputTokens] = 400;
        var pricing = new ModelPricing { InputPerMillion = 1m, CacheWritePerMillion = 2m, OutputPerMillion = 1m };

        Assert.Equal(0.0014m, Calculator.Calculate("x", usage, customPricing: pricing).Total);
    }

    [Theory]
    [InlineData(100_000L, "0.21", "standard")]
    [InlineData(150_000L, "0.61", "above_100k")]
    [InlineData(200_000L, "0.81", "above_100k")]
    [InlineData(250_000L, "1.03", "above_200k")]
    public void Calculate_TiersPricingDifferentTypes_EachTypeFromTheHighestCrossedTierThatPricesIt(long input, string expected, string tier)
    {
        // Standard input 2, output 10; above 100k input 4; above 200k output 30 (input stays 4 from the lower tier).
        // 100k: 100,000 x 2 + 1,000 x 10 = 0.21; 150k: 150,000 x 4 + 0.01 = 0.61; 200k: 200,000 x 4 + 0.01 = 0.81;
        // 250k: 250,000 x 4 + 1,000 x 30 = 1.03.
        var pricing = new ModelPricing
        {
            InputPerMillion = 2m,
            OutputPerMillion = 10m,
            LongContextTiers = [new() { AboveInputTokens = 100_000, InputPerMillion = 4m }, new() { AboveInputTokens = 200_000, OutputPerMillion = 30m }],
        };

        var cost = Calculator.Calculate("x", Usage(input, 1000), customPricing: pricing);

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), cost.Total);
        Assert.Equal(tier, cost.Tier);
    }

    [Fact]
    public void Calculate_ServiceTierWithLongContext_UsesTheTiersOwnThreshold()
    {
        // priority: input 5, output 20; above 100k input 8. 150,000 x 8 + 1,000 x 20 = 1.22; the same record twice.
        var pricing = new ModelPricing
        {
            InputPerMillion = 2.5m,
            OutputPerMillion = 10m,
            ServiceTiers = new Dictionary<string, ModelPricing>(StringComparer.OrdinalIgnoreCase)
            {
                ["priority"] = new() { InputPerMillion = 5m, OutputPerMillion = 20m, LongContextTiers = [new() { AboveInputTokens = 100_000, InputPerMillion = 8m }] },
            },
        };

        var first = Calculator.Calculate("x", Usage(150_000, 1000), "Priority", pricing);
        var second = Calculator.Calculate("x", Usage(150_000, 1000), "priority", pricing);

        Assert.Equal(1.22m, first.Total);
        Assert.Equal("priority_above_100k", first.Tier);
        Assert.Equal(1.22m, second.Total);
    }

    [Fact]
    public void Calculate_BatchTierOnCacheWrites_GetsTheBatchDiscountOfInput()
    {
        // Standard input 4, batch input 2 (half), so cache writes 8 become 4; batch output 5.
        // 600 x 2 + 400 x 4 + 1,000 x 5 = 0.0078.
        var pricing = new ModelPricing { InputPerMillion = 4m, OutputPerMillion = 10m, CacheWritePerMillion = 8m, BatchInputPerMillion = 2m, BatchOutputPerMillion = 5m };

        var cost = Calculator.Calculate("x", Usage(1000, 1000, write: 400), "batch", pricing);

        Assert.Equal(0.0078m, cost.Total);
        Assert.Equal("batch", cost.Tier);
        Assert.Contains(cost.Items, i => i is { Kind: "cache_write", Tokens: 400, UsdPerMillionTokens: 4m, Amount: 0.0016m });
    }

    [Fact]
    public void Calculate_ProductPast64Bits_SameValueAsDecimalDivision()
    {
        // 10^12 tokens at 123,456,789.123456789 per million: the product's mantissa needs more than 64 bits.
        decimal rate = 123_456_789.123456789m;
        var pricing = new ModelPricing { InputPerMillion = rate, OutputPerMillion = 1m };

        var cost = Calculator.Calculate("x", Usage(1_000_000_000_000, 0), customPricing: pricing);

        Assert.Equal(123_456_789_123_456.789m, cost.Total);
        Assert.Equal([123_456_789_123_456.789m], cost.Items.Select(i => i.Amount));
    }

    [Fact]
    public void Calculate_SumPast64Bits_SameValueAsDecimalAddition()
    {
        // Each line fits 64 bits (mantissa 9.5 x 10^18 at 24 places) but their sum does not: 1 x 9.5 / 10^6 twice = 0.000019.
        var pricing = new ModelPricing { InputPerMillion = 9.500000000000000000m, OutputPerMillion = 9.500000000000000000m };

        var cost = Calculator.Calculate("x", Usage(1, 1), customPricing: pricing);

        Assert.Equal("0.000019", cost.Total!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal([0.0000095m, 0.0000095m], cost.Items.Select(i => i.Amount));
    }

    [Fact]
    public void Calculate_NegativeRate_PricedInDecimal()
    {
        // A credit of -1 per million input: 1,000 x -1 + 1,000 x 2 = 0.001.
        var pricing = new ModelPricing { InputPerMillion = -1m, OutputPerMillion = 2m };

        var cost = Calculator.Calculate("x", Usage(1000, 1000), customPricing: pricing);

        Assert.Equal(0.001m, cost.Total);
        Assert.Equal([-0.001m, 0.002m], cost.Items.Select(i => i.Amount));
    }

    [Theory]
    [InlineData("gpt-4o-2024-08-06")]
    [InlineData("gpt-4o-2099-01-01")]
    public void Calculate_DatedSnapshotIdFromAResponse_IsPriced(string model)
    {
        // gpt-4o and its 2024-08-06 snapshot: input 2.50, output 10.00; an unlisted snapshot is priced as its base model.
        var cost = Calculator.Calculate(model, Usage(input: 1000, output: 500));

        Assert.Equal(0.0075m, cost.Total);
    }

    [Fact]
    public void Calculate_AnthropicDatedId_IsPriced()
    {
        // claude-sonnet-4-5-20250929: input 3, output 15: 1000 x 3 + 1000 x 15 = 0.018.
        Assert.Equal(0.018m, Calculator.Calculate("claude-sonnet-4-5-20250929", Usage(input: 1000, output: 1000)).Total);
    }

    [Fact]
    public void Calculate_FlexTier_UsesTheFlexPricesAndReportsFlex()
    {
        // o3 flex: input 1, cached 0.25, output 4. 600 x 1 + 400 x 0.25 + 500 x 4 = 0.0006 + 0.0001 + 0.002 = 0.0027.
        var cost = Calculator.Calculate("o3", Usage(input: 1000, output: 500, cached: 400), "flex");

        Assert.Equal(0.0027m, cost.Total);
        Assert.Equal("flex", cost.Tier);
    }

    [Fact]
    public void Calculate_FlexTierWithLongContext_NamesBothTiers()
    {
        // gpt-5.6 flex above 272k: input 5, output 22.5. 300,000 x 5 + 1,000 x 22.5 = 1.5 + 0.0225.
        var cost = Calculator.Calculate("gpt-5.6", Usage(input: 300_000, output: 1000), "flex");

        Assert.Equal(1.5225m, cost.Total);
        Assert.Equal("flex_above_272k", cost.Tier);
    }

    [Theory]
    [InlineData("gpt-4o", "flex")]
    [InlineData("gpt-5-nano", "priority")]
    [InlineData("no-such-model", "flex")]
    public void Calculate_TierWithoutPublishedPrices_IsUnknownForThatTierNeverStandard(string model, string tier)
    {
        // gpt-4o has no flex prices; gpt-5-nano's priority tier publishes an input price only.
        var cost = Calculator.Calculate(model, Usage(input: 1000, output: 500), tier);

        Assert.False(cost.IsKnown);
        Assert.Null(cost.Total);
        Assert.Equal(tier, cost.Tier);
    }
}
