using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using MLTiktokenTokenizer = Microsoft.ML.Tokenizers.TiktokenTokenizer;

namespace LlmKit.Tests.Tokenization;

public sealed class TokenCounterRegistryTests
{
    [Theory]
    [InlineData("llama*", "llama3.1:8b", true)]
    [InlineData("llama*", "ollama/llama3.1", true)]
    [InlineData("llama*", "LLAMA-3", true)]
    [InlineData("llama*", "codellama", false)]
    [InlineData("*llama*", "codellama", true)]
    [InlineData("qwen2.?-*", "qwen2.5-coder", true)]
    [InlineData("gpt-4o", "gpt-4o-mini", false)]
    public void TryGet_Pattern_MatchesWholeIdOrIdAfterLastSlash(string pattern, string model, bool matches)
    {
        var registry = new TokenCounterRegistry().Add(pattern, TiktokenTokenizer.Cl100kBase);
        Assert.Equal(matches, registry.TryGet(model, out var counter));
        Assert.Equal(matches, counter is not null);
    }

    [Fact]
    public void TryGet_SeveralPatterns_FirstRegisteredWins()
    {
        var registry = new TokenCounterRegistry()
            .Add("llama3*", TiktokenTokenizer.Cl100kBase)
            .Add("llama*", TiktokenTokenizer.O200kBase);
        Assert.True(registry.TryGet("llama3.1", out var first));
        Assert.Same(TiktokenTokenizer.Cl100kBase, first);
        Assert.True(registry.TryGet("llama2", out var second));
        Assert.Same(TiktokenTokenizer.O200kBase, second);
    }

    [Fact]
    public async Task AddTokenizer_LocalModel_PipelineCountsWithRegisteredTokenizer()
    {
        // A local model whose tokenizer the host loads: here Microsoft.ML.Tokenizers' cl100k stands in for a Llama file.
        var tokenizer = MLTiktokenTokenizer.CreateForEncoding("cl100k_base");
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit
            .AddProvider("local", _ => new LlmKit.Testing.ScriptedChatClient().ReturnsText("hi"))
            .AddModel("local-llama", "local", "llama3.1:8b")
            .UseDefaultModel("local-llama")
            .AddTokenizer("llama*", tokenizer));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();

        var counter = client.GetService<ITokenCounter>();
        Assert.IsType<MLTokenizerAdapter>(counter);
        Assert.True(counter.IsExact);
        Assert.Equal(tokenizer.CountTokens("Hello, local world!"), counter.CountTokens("Hello, local world!"));
        Assert.IsType<MLTokenizerAdapter>(client.GetService<ITokenizer>());
    }
}
