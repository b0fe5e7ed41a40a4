namespace LlmKit.Anthropic.Tests;

public class AnthropicClientOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedValues()
    {
        var options = new AnthropicClientOptions();

        Assert.Null(options.ApiKey);
        Assert.Null(options.BaseUrl);
        Assert.Null(options.DefaultModel);
        Assert.Empty(options.Headers);
        Assert.Equal("2023-06-01", options.AnthropicVersion);
        Assert.Equal(4096, options.DefaultMaxOutputTokens);
        Assert.Equal(AnthropicThinkingStyle.Auto, options.ThinkingStyle);
        Assert.Equal(new Uri("https://api.anthropic.com/"), AnthropicClientOptions.DefaultBaseUrl);
        Assert.Equal("ANTHROPIC_API_KEY", AnthropicClientOptions.ApiKeyEnvironmentVariable);
    }

    [Fact]
    public void ToString_WithKey_NeverShowsTheKey()
    {
        var options = new AnthropicClientOptions { ApiKey = "sk-ant-api03-very-secret-value", DefaultModel = "claude-opus-4-7" };

        string text = options.ToString();

        Assert.DoesNotContain("very-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-ant", text, StringComparison.Ordinal);
        Assert.Contains("api key set", text, StringComparison.Ordinal);
        Assert.Contains("claude-opus-4-7", text, StringComparison.Ordinal);
        Assert.Contains("https://api.anthropic.com/", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_WithoutKey_SaysNoKeyIsSet()
    {
        var options = new AnthropicClientOptions { BaseUrl = new Uri("https://proxy.example/") };

        string text = options.ToString();

        Assert.DoesNotContain("api key", text, StringComparison.Ordinal);
        Assert.Contains("https://proxy.example/", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Headers_AreCaseInsensitive()
    {
        var options = new AnthropicClientOptions();

        options.Headers["Anthropic-Beta"] = "a";
        options.Headers["anthropic-beta"] = "b";

        Assert.Equal("b", Assert.Single(options.Headers).Value);
    }
}
