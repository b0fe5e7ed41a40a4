namespace LlmKit.Gemini.Tests;

public sealed class GeminiClientOptionsTests
{
    [Fact]
    public void ToString_WithKey_NeverShowsTheKey()
    {
        var options = new GeminiClientOptions { ApiKey = "AIzaSyTHIS-IS-SECRET-0123456789abcdef", DefaultModel = "gemini-2.5-flash" };

        string text = options.ToString();

        Assert.DoesNotContain("AIzaSyTHIS-IS-SECRET", text, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef", text, StringComparison.Ordinal);
        Assert.Contains("api key set", text, StringComparison.Ordinal);
        Assert.Contains("gemini-2.5-flash", text, StringComparison.Ordinal);
        Assert.Contains("https://generativelanguage.googleapis.com/", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new GeminiClientOptions();

        Assert.Null(options.ApiKey);
        Assert.Null(options.BaseUrl);
        Assert.Null(options.DefaultModel);
        Assert.Equal("v1beta", options.ApiVersion);
        Assert.Equal("gemini-embedding-001", options.DefaultEmbeddingModel);
        Assert.Empty(options.Headers);
        Assert.Equal(new Uri("https://generativelanguage.googleapis.com/"), GeminiClientOptions.DefaultBaseUrl);
        Assert.DoesNotContain("api key", options.ToString(), StringComparison.Ordinal);
    }
}
