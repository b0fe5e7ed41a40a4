using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Tests.Tokenization;

public class CalibratedTokenCounterTests
{
    [Fact]
    public void CountTokens_Factor_ScalesTheO200kCountRoundingUp()
    {
        var counter = new CalibratedTokenCounter(TiktokenTokenizer.O200kBase, 1.2, "anthropic");
        // "hello world" is 2 o200k tokens: 2 x 1.2 = 2.4, rounded up to 3; ten of them are 20 tokens, x 1.2 exactly 24.
        Assert.Equal(2, TiktokenTokenizer.O200kBase.CountTokens("hello world"));
        Assert.Equal(3, counter.CountTokens("hello world"));
        string ten = string.Join(' ', Enumerable.Repeat("hello world", 10));
        Assert.Equal(20, TiktokenTokenizer.O200kBase.CountTokens(ten));
        Assert.Equal(24, counter.CountTokens(ten));
        Assert.False(counter.IsExact);
        Assert.Equal("o200k_base x 1.2 (anthropic estimate)", counter.Name);
    }

    [Theory]
    [InlineData("anthropic", 1.20)]
    [InlineData("gemini", 1.10)]
    [InlineData("mistral", 1.15)]
    public void ForProvider_KnownFamilies_UseTheDocumentedFactor(string provider, double factor)
        => Assert.Equal(factor, CalibratedTokenCounter.ForProvider(provider).Factor);

    [Theory]
    [InlineData("claude-sonnet-4-5", "anthropic")]
    [InlineData("gemini-2.5-flash", "gemini")]
    [InlineData("llama3.2", "meta")]
    [InlineData("mixtral-8x7b", "mistral")]
    [InlineData("house-model", "other")]
    public void FamilyOf_ModelIds_GuessesTheProvider(string model, string family)
        => Assert.Equal(family, CalibratedTokenCounter.FamilyOf(model));

    [Fact]
    public void Constructor_FactorOutOfRange_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new CalibratedTokenCounter(TiktokenTokenizer.O200kBase, 0, "x"));

    [Fact]
    public void PipelineGetService_ClaudeDeployment_ServesTheAnthropicEstimate()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.AddProvider("anthropic", _ => new ScriptedChatClient()).AddModel("smart", "anthropic", "claude-sonnet-4-5").UseDefaultModel("smart"));
        using var sp = services.BuildServiceProvider();

        var counter = sp.GetRequiredService<IChatClient>().GetService<ITokenCounter>();

        var calibrated = Assert.IsType<CalibratedTokenCounter>(counter);
        Assert.Equal(1.2, calibrated.Factor);
        Assert.Equal("anthropic", calibrated.Family);
    }

    [Fact]
    public void PipelineGetService_OpenAIDeployment_StillServesExactTiktoken()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.AddProvider("openai", _ => new ScriptedChatClient()).AddModel("smart", "openai", "gpt-4o").UseDefaultModel("smart"));
        using var sp = services.BuildServiceProvider();

        var counter = sp.GetRequiredService<IChatClient>().GetService<ITokenCounter>();

        Assert.Same(TiktokenTokenizer.O200kBase, counter);
        Assert.True(counter!.IsExact);
    }
}
