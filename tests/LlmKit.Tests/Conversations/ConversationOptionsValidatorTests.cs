using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmKit.Tests.Conversations;

public class ConversationOptionsValidatorTests
{
    private static IServiceProvider Build(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Validate_BoundFromConfiguration_ReadsEverySetting()
    {
        var sp = Build(new()
        {
            ["LlmKit:Conversations:SystemPrompt"] = "Be brief.",
            ["LlmKit:Conversations:ContextStrategy"] = "Summarize",
            ["LlmKit:Conversations:SummarizerModel"] = "gpt-4.1-nano",
            ["LlmKit:Conversations:SummaryTriggerTokens"] = "6000",
            ["LlmKit:Conversations:SummaryTargetRatio"] = "0.4",
            ["LlmKit:Conversations:Memory:ExtractFacts"] = "true",
            ["LlmKit:Conversations:Memory:RecallMessages"] = "3",
        });

        var options = sp.GetRequiredService<IOptions<LlmKitOptions>>().Value.Conversations;

        Assert.Equal("Be brief.", options.SystemPrompt);
        Assert.Equal(ConversationContextStrategy.Summarize, options.ContextStrategy);
        Assert.Equal("gpt-4.1-nano", options.SummarizerModel);
        Assert.Equal(6000, options.SummaryTriggerTokens);
        Assert.Equal(0.4, options.SummaryTargetRatio);
        Assert.Equal(0.75, options.SummaryTriggerRatio);
        Assert.True(options.Memory.ExtractFacts);
        Assert.Equal(3, options.Memory.RecallMessages);
        Assert.Equal(20, options.Memory.MaxFacts);
    }

    [Fact]
    public void Validate_BadValues_ThrowsConfigurationExceptionNamingEachKey()
    {
        var sp = Build(new()
        {
            ["LlmKit:Conversations:SummaryTriggerRatio"] = "1.5",
            ["LlmKit:Conversations:SummaryTargetRatio"] = "1",
            ["LlmKit:Conversations:SummaryTriggerTokens"] = "0",
            ["LlmKit:Conversations:Memory:RecallMessages"] = "-1",
            ["LlmKit:Conversations:SummarizerModel"] = " ",
        });

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IOptions<LlmKitOptions>>().Value);

        Assert.Equal(
            ["LlmKit:Conversations:SummaryTriggerTokens", "LlmKit:Conversations:SummaryTriggerRatio", "LlmKit:Conversations:SummaryTargetRatio", "LlmKit:Conversations:SummarizerModel", "LlmKit:Conversations:Memory:RecallMessages"],
            ex.Keys);
        Assert.Contains("it is 1.5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownStrategyName_ThrowsConfigurationException()
    {
        var sp = Build(new() { ["LlmKit:Conversations:ContextStrategy"] = "Compress" });

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IOptions<LlmKitOptions>>().Value);

        Assert.Contains("Compress", ex.Message, StringComparison.Ordinal);
    }
}
