using System.Text.Json;

namespace LlmKit.Cli.Tests;

public class CostCommandTests
{
    [Fact]
    public async Task Cost_AnthropicCacheRead_SplitsInputAndOutputAmounts()
    {
        // claude-sonnet-4-20250514: 2,000 x 3 + 6,000 x 0.30 + 2,000 x 3.75 = 0.0153 input; 1,000 x 15 = 0.015 output.
        var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "cost", "--json", "--model", "claude-sonnet-4-20250514", "--input", "10000", "--output", "1000", "--cached", "6000", "--cache-write", "2000");

        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("USD", root.GetProperty("currency").GetString());
        Assert.True(root.GetProperty("known").GetBoolean());
        Assert.Equal(0.0303m, root.GetProperty("total").GetDecimal());
        Assert.Equal(0.0153m, root.GetProperty("input").GetDecimal());
        Assert.Equal(0.015m, root.GetProperty("output").GetDecimal());
        Assert.Equal(0.0075m, root.GetProperty("breakdown").GetProperty("cache_write").GetDecimal());
    }

    [Fact]
    public async Task Cost_UnknownModel_IsKnownFalseWithNullTotal()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "cost", "--json", "--model", "no-such-model", "--input", "5", "--output", "5");

        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.False(root.GetProperty("known").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("total").ValueKind);
    }

    [Theory]
    [InlineData("--cached", "20")]
    [InlineData("--reasoning", "50")]
    public async Task Cost_PartsLargerThanWhole_ExitWithTwo(string option, string value)
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(null, null, "cost", "--model", "gpt-4o", "--input", "10", "--output", "10", option, value);

        Assert.Equal(2, exit);
        Assert.Contains(option, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cost_FlexTier_IsPricedAndReportedAsFlex()
    {
        // o3 flex: 1,000 x 1 + 1,000 x 4 = 0.005.
        var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "cost", "--json", "--model", "o3", "--input", "1000", "--output", "1000", "--tier", "flex");

        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.True(root.GetProperty("known").GetBoolean());
        Assert.Equal(0.005m, root.GetProperty("total").GetDecimal());
        Assert.Equal("flex", root.GetProperty("tier").GetString());
    }

    [Fact]
    public async Task Cost_TierWithoutPublishedPrices_IsUnknownForThatTier()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "cost", "--json", "--model", "gpt-4o", "--input", "1000", "--output", "1000", "--tier", "flex");

        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.False(root.GetProperty("known").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("total").ValueKind);
        Assert.Equal("flex", root.GetProperty("tier").GetString());
    }

    [Theory]
    [InlineData("gpt-4o-2024-08-06")]
    [InlineData("claude-sonnet-4-5-20250929")]
    [InlineData("gemini-2.0-flash-001")]
    public async Task Cost_DatedSnapshotId_IsPriced(string model)
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "cost", "--json", "--model", model, "--input", "1000", "--output", "1000");

        Assert.Equal(0, exit);
        Assert.True(JsonDocument.Parse(stdout).RootElement.GetProperty("known").GetBoolean());
    }

    [Fact]
    public async Task Cost_Prices_UsesTheImportedPrices()
    {
        string file = Path.Combine(Path.GetTempPath(), $"llmkit-prices-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{ "gpt-4o": { "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06, "input_cost_per_token_priority": 4e-06, "output_cost_per_token_priority": 1.6e-05 } }""");
        try
        {
            // priority: 1,000 x 4 + 1,000 x 16 = 0.02.
            var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "cost", "--json", "--model", "gpt-4o", "--input", "1000", "--output", "1000", "--tier", "priority", "--prices", file);

            Assert.Equal(0, exit);
            var root = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal(0.02m, root.GetProperty("total").GetDecimal());
            Assert.Equal("priority", root.GetProperty("tier").GetString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Cost_MissingPriceFile_ExitsWithTwoNamingTheFile()
    {
        string file = Path.Combine(Path.GetTempPath(), $"llmkit-missing-{Guid.NewGuid():N}.json");

        var (exit, _, stderr) = await CliRunner.RunAsync(null, null, "cost", "--model", "gpt-4o", "--input", "1", "--output", "1", "--prices", file);

        Assert.Equal(2, exit);
        Assert.Contains(file, stderr, StringComparison.Ordinal);
    }
}
