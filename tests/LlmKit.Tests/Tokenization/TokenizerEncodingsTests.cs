namespace LlmKit.Tests.Tokenization;

public sealed class TokenizerEncodingsTests
{
    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("gpt-4o-2024-08-06")]
    [InlineData("gpt-4o-mini")]
    [InlineData("chatgpt-4o-latest")]
    [InlineData("gpt-4.1")]
    [InlineData("gpt-4.1-nano-2025-04-14")]
    [InlineData("gpt-4.5-preview")]
    [InlineData("gpt-5")]
    [InlineData("gpt-5-mini")]
    [InlineData("gpt-5.1")]
    [InlineData("o1")]
    [InlineData("o1-mini")]
    [InlineData("o3")]
    [InlineData("o3-mini-2025-01-31")]
    [InlineData("o4-mini")]
    [InlineData("GPT-4O")]
    [InlineData("openai/gpt-4o")]
    [InlineData("ft:gpt-4o-mini-2024-07-18:my-org::abc123")]
    public void TryGetEncodingName_O200kModel_ReturnsO200kBase(string model)
    {
        Assert.True(TokenizerEncodings.TryGetEncodingName(model, out string? encoding));
        Assert.Equal(TokenizerEncodings.O200kBase, encoding);
    }

    [Theory]
    [InlineData("gpt-4")]
    [InlineData("gpt-4-0613")]
    [InlineData("gpt-4-32k")]
    [InlineData("gpt-4-turbo")]
    [InlineData("gpt-3.5-turbo")]
    [InlineData("gpt-3.5-turbo-16k")]
    [InlineData("gpt-35-turbo")]
    [InlineData("text-embedding-3-small")]
    [InlineData("text-embedding-3-large")]
    [InlineData("text-embedding-ada-002")]
    [InlineData("ft:gpt-3.5-turbo-0125:my-org::abc123")]
    public void TryGetEncodingName_Cl100kModel_ReturnsCl100kBase(string model)
    {
        Assert.True(TokenizerEncodings.TryGetEncodingName(model, out string? encoding));
        Assert.Equal(TokenizerEncodings.Cl100kBase, encoding);
    }

    [Theory]
    [InlineData("")]
    [InlineData("claude-sonnet-4")]
    [InlineData("gemini-2.5-pro")]
    [InlineData("llama3.1")]
    [InlineData("o2")]
    [InlineData("o10")]
    [InlineData("davinci")]
    [InlineData("text-embedding-ada-001")]
    public void TryGetEncodingName_UnknownModel_ReturnsFalse(string model)
    {
        Assert.False(TokenizerEncodings.TryGetEncodingName(model, out string? encoding));
        Assert.Null(encoding);
    }

    [Fact]
    public void GetEncodingName_UnknownModel_ReturnsNull()
    {
        Assert.Null(TokenizerEncodings.GetEncodingName("mistral-large"));
        Assert.Equal(TokenizerEncodings.O200kBase, TokenizerEncodings.GetEncodingName("gpt-4.1-mini"));
    }

    [Fact]
    public void TryGetEncodingName_NullModel_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => TokenizerEncodings.TryGetEncodingName(null!, out _));
    }
}
