using System.Net;
using System.Text;
using System.Text.Json;
using LlmKit.Http;

namespace LlmKit.OpenAI.Tests.SharedHttp;

public sealed class WireFormatTests
{
    [Theory]
    [InlineData("{\"key\":\"sk-canary-SECRET-123\"}")]
    [InlineData("Authorization: Bearer abc.def-SECRET-123")]
    [InlineData("see https://host/v1?key=SECRET-123&alt=sse")]
    [InlineData("upstream http://admin:SECRET-123@10.0.0.1:8080/path")]
    public void Excerpt_BodyWithSecrets_MasksThem(string body)
    {
        string excerpt = WireFormat.Excerpt(Encoding.UTF8.GetBytes(body), apiKey: null);

        Assert.DoesNotContain("SECRET-123", excerpt, StringComparison.Ordinal);
        Assert.NotEmpty(excerpt);
    }

    [Fact]
    public void Excerpt_LongBodyWithKeyAcrossTheCut_IsCutAt200CharactersAndNeverShowsPartOfTheKey()
    {
        string body = new string('x', 189) + " sk-canary-SECRET-123" + new string('y', 5000);

        string excerpt = WireFormat.Excerpt(Encoding.UTF8.GetBytes(body), apiKey: null);

        Assert.True(excerpt.Length <= 203);
        Assert.DoesNotContain("sk-can", excerpt, StringComparison.Ordinal);
    }

    [Fact]
    public void Excerpt_ControlCharacters_AreShownAsSpaces()
        => Assert.Equal("a b c", WireFormat.Excerpt("a\nb\u0000c"u8, apiKey: null));

    [Theory]
    [InlineData("12", 12L)]
    [InlineData("0", 0L)]
    [InlineData("null", null)]
    public void ReadCount_NonNegativeIntegerOrNull_IsRead(string json, long? expected)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();

        Assert.Equal(expected, WireFormat.ReadCount(ref reader, "usage.x"));
    }

    [Theory]
    [InlineData("\"12\"")]
    [InlineData("1.5")]
    [InlineData("-1")]
    [InlineData("1e300")]
    [InlineData("1000000000001")]
    [InlineData("true")]
    [InlineData("{\"a\":1}")]
    public void ReadCount_AnythingElse_ThrowsPendingErrorNamingTheField(string json)
    {
        var error = Record.Exception(() =>
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
            reader.Read();
            WireFormat.ReadCount(ref reader, "usage.prompt_tokens");
        });

        var ex = Assert.IsType<ProviderResponseFormatException>(error);
        Assert.Equal("usage.prompt_tokens", ex.Field);
        Assert.Null(ex.Provider);
    }

    [Fact]
    public void Complete_PendingError_NamesProviderStatusFieldAndExcerpt()
    {
        var pending = WireFormat.Field("choices", "is missing");

        var ex = WireFormat.Complete(pending, "openai", HttpStatusCode.OK, "{}"u8, apiKey: null);

        Assert.Equal("openai", ex.Provider);
        Assert.Equal(HttpStatusCode.OK, ex.StatusCode);
        Assert.Equal("choices", ex.Field);
        Assert.Equal("{}", ex.BodyExcerpt);
        Assert.Contains("openai answered 200", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'choices'", ex.Message, StringComparison.Ordinal);
        Assert.Same(ex, WireFormat.Complete(ex, "other", HttpStatusCode.Accepted, "x"u8, null));
    }

    [Theory]
    [InlineData(0, "before any update")]
    [InlineData(1, "after 1 update had")]
    [InlineData(3, "after 3 updates had")]
    public void StreamCut_Updates_IsARetryableNetworkErrorSayingHowManyArrived(int updates, string expected)
    {
        var ex = WireFormat.StreamCut("openai", "data: [DONE]", updates);

        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
        Assert.True(ex.IsRetryable);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("data: [DONE]", ex.Message, StringComparison.Ordinal);
    }
}
