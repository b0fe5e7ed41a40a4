namespace LlmKit.Tests.Cost;

/// <summary>The compiled form of a price record; rates read back as the decimals they were compiled from.</summary>
public class CostRateTableTests
{
    private static readonly ModelPricing Tiered = new()
    {
        InputPerMillion = 2m,
        OutputPerMillion = 10m,
        CachedInputPerMillion = 0.5m,
        ReasoningPerMillion = 12m,
        LongContextTiers =
        [
            new() { AboveInputTokens = 100_000, InputPerMillion = 4m },
            new() { AboveInputTokens = 200_000, OutputPerMillion = 30m, CachedInputPerMillion = 1m },
        ],
    };

    [Theory]
    [InlineData(0L, 2, 10, 0.5, null)]
    [InlineData(100_000L, 2, 10, 0.5, null)]
    [InlineData(100_001L, 4, 10, 0.5, "above_100k")]
    [InlineData(200_000L, 4, 10, 0.5, "above_100k")]
    [InlineData(200_001L, 4, 30, 1, "above_200k")]
    public void ForInput_PromptSize_RatesOfTheHighestThresholdStrictlyExceeded(long input, double inputRate, double outputRate, double cachedRate, string? tier)
    {
        var rates = CostRateTable.Compile(Tiered).ForInput(input);

        Assert.Equal((decimal)inputRate, rates.Input.Value);
        Assert.Equal((decimal)outputRate, rates.Output.Value);
        Assert.Equal((decimal)cachedRate, rates.CachedInput.Value);
        Assert.Equal(tier, rates.TierName);
    }

    [Fact]
    public void ForInput_TierRepricingOutput_RepricesReasoningWithIt()
    {
        // A tier's output price replaces the reasoning price too (the model bills reasoning apart: it stays a line).
        var table = CostRateTable.Compile(Tiered);

        Assert.Equal(12m, table.ForInput(1000).Reasoning.Value);
        Assert.Equal(30m, table.ForInput(250_000).Reasoning.Value);
    }

    [Fact]
    public void ForInput_ThresholdNoPromptCanExceed_NeverApplies()
    {
        var table = CostRateTable.Compile(new ModelPricing { InputPerMillion = 1m, LongContextTiers = [new() { AboveInputTokens = long.MaxValue, InputPerMillion = 9m }] });

        Assert.Equal(1m, table.ForInput(long.MaxValue).Input.Value);
        Assert.Null(table.ForInput(long.MaxValue).TierName);
    }

    [Fact]
    public void Batch_WithoutBatchPrices_IsNull()
    {
        Assert.Null(CostRateTable.Compile(Tiered).Batch());
        Assert.Null(CostRateTable.Compile(new ModelPricing { InputPerMillion = 0m, BatchInputPerMillion = 0m, BatchOutputPerMillion = 1m }).Batch());
    }

    [Fact]
    public void Batch_WithBatchPrices_CacheRatesGetTheInputDiscountAndTheSameObjectIsReturned()
    {
        // Batch input 1 of standard 2 is half: cached 0.5 becomes 0.25; reasoning is billed at the batch output 5.
        var table = CostRateTable.Compile(Tiered with { BatchInputPerMillion = 1m, BatchOutputPerMillion = 5m });

        var batch = table.Batch()!;

        Assert.Equal([1m, 0.25m, 5m, 5m], new[] { batch.Input.Value, batch.CachedInput.Value, batch.Output.Value, batch.Reasoning.Value });
        Assert.False(batch.CacheWrite.IsKnown);
        Assert.Same(batch, table.Batch());
    }

    [Fact]
    public void Compile_RateWithMoreThan64BitMantissa_IsKnownButNotExact()
    {
        var table = CostRateTable.Compile(new ModelPricing { InputPerMillion = 123_456_789_012_345_678_901.5m, OutputPerMillion = -1m, CachedInputPerMillion = 0.0000000000000000000000001m });

        Assert.True(table.Standard.Input.IsKnown);
        Assert.False(table.Standard.Input.IsExact);
        Assert.False(table.Standard.Output.IsExact);
        Assert.False(table.Standard.CachedInput.IsExact);
        Assert.False(table.Standard.CacheWrite.IsKnown);
    }
}
