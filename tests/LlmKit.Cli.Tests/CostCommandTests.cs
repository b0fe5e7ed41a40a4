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
}
