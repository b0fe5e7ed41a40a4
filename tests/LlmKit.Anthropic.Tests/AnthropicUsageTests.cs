using System.Text;
using System.Text.Json;

namespace LlmKit.Anthropic.Tests;

public class AnthropicUsageTests
{
    [Fact]
    public void ToUsageDetails_NothingRead_Null()
        => Assert.Null(default(AnthropicUsage).ToUsageDetails());

    [Fact]
    public void ToUsageDetails_PlainCounts_InputOutputTotal()
    {
        var usage = Read("""{"input_tokens":10,"output_tokens":5}""").ToUsageDetails()!;

        Assert.Equal(10, usage.InputTokenCount);
        Assert.Equal(5, usage.OutputTokenCount);
        Assert.Equal(15, usage.TotalTokenCount);
        Assert.Null(usage.CachedInputTokenCount);
        Assert.Null(usage.ReasoningTokenCount);
        Assert.Null(usage.AdditionalCounts);
    }

    [Fact]
    public void ToUsageDetails_CacheCounts_AddedToInputAndKeptApart()
    {
        var usage = Read("""{"input_tokens":3,"cache_read_input_tokens":100,"cache_creation_input_tokens":50,"cache_creation":{"ephemeral_5m_input_tokens":20,"ephemeral_1h_input_tokens":30},"output_tokens":7}""").ToUsageDetails()!;

        Assert.Equal(153, usage.InputTokenCount);
        Assert.Equal(100, usage.CachedInputTokenCount);
        Assert.Equal(50, usage.AdditionalCounts![LlmUsageKeys.CacheWriteInputTokens]);
        Assert.Equal(30, usage.AdditionalCounts[LlmUsageKeys.CacheWrite1HourInputTokens]);
        Assert.Equal(160, usage.TotalTokenCount);
    }

    [Fact]
    public void Read_LaterUsage_OverwritesOnlyTheFieldsItCarries()
    {
        var usage = Read("""{"input_tokens":25,"cache_read_input_tokens":4,"output_tokens":1}""");
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes("""{"output_tokens":15,"unknown_count":9}"""));
        reader.Read();

        usage.Read(ref reader);
        var details = usage.ToUsageDetails()!;

        Assert.Equal(29, details.InputTokenCount);
        Assert.Equal(15, details.OutputTokenCount);
        Assert.Equal(4, details.CachedInputTokenCount);
    }

    [Fact]
    public void Read_NullUsage_LeavesNothingSeen()
    {
        var usage = Read("null");

        Assert.Null(usage.ToUsageDetails());
    }

    private static AnthropicUsage Read(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        var usage = default(AnthropicUsage);
        usage.Read(ref reader);
        return usage;
    }
}
