using System.Net;
using LlmKit.OpenAI.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace LlmKit.OpenAI.Tests;

/// <summary>Settings that used to fail with a framework exception on every call fail once, clearly, or are repaired.</summary>
public class ConnectionSettingsTests
{
    [Fact]
    public async Task Constructor_ApiKeyWithTrailingNewline_IsTrimmedAndSent()
    {
        var handler = new FakeHttpHandler().RespondFixture("chat-text.json");
        var client = new OpenAIChatClient(new OpenAIConnectionOptions { ApiKey = "sk-test-key-0123456789\n", DefaultModel = "gpt-4o" }, new HttpClient(handler));

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        Assert.Equal("Bearer sk-test-key-0123456789", handler.Requests.Single().Headers["Authorization"]);
    }

    [Fact]
    public void Constructor_ApiKeyWithLineBreakInside_ThrowsConfigurationExceptionWithoutTheKey()
    {
        var ex = Assert.Throws<LlmKitConfigurationException>(() => new OpenAIChatClient(new OpenAIConnectionOptions { ApiKey = "sk-CANARY\r\nX-Injected: 1" }));

        Assert.Contains("OpenAIConnectionOptions.ApiKey", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://files.example.com/v1/")]
    [InlineData("file:///tmp/openai")]
    public void Constructor_BaseUrlNotHttp_ThrowsConfigurationExceptionNamingTheScheme(string url)
    {
        var ex = Assert.Throws<LlmKitConfigurationException>(() => new OpenAIChatClient(new OpenAIConnectionOptions { ApiKey = "sk-test-key-0123456789", BaseUrl = new Uri(url) }));

        Assert.Contains("OpenAIConnectionOptions.BaseUrl", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"scheme is '{new Uri(url).Scheme}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OllamaConstructor_BaseUrlNotHttp_ThrowsConfigurationException()
    {
        Assert.Throws<LlmKitConfigurationException>(() => new OllamaChatClient(new OllamaClientOptions { BaseUrl = new Uri("ftp://127.0.0.1:11434/") }));
    }

    [Theory]
    [InlineData(float.NaN, "Temperature")]
    [InlineData(float.PositiveInfinity, "TopP")]
    [InlineData(float.NegativeInfinity, "FrequencyPenalty")]
    [InlineData(float.NaN, "PresencePenalty")]
    public async Task GetResponseAsync_NonFiniteOption_ThrowsArgumentExceptionNamingTheOption(float value, string option)
    {
        var handler = new FakeHttpHandler();
        var client = new OpenAIChatClient(new OpenAIConnectionOptions { ApiKey = "sk-test-key-0123456789", DefaultModel = "gpt-4o" }, new HttpClient(handler));
        var options = option switch
        {
            "Temperature" => new ChatOptions { Temperature = value },
            "TopP" => new ChatOptions { TopP = value },
            "FrequencyPenalty" => new ChatOptions { FrequencyPenalty = value },
            _ => new ChatOptions { PresencePenalty = value },
        };

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], options));

        Assert.Contains($"ChatOptions.{option}", ex.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task OllamaGetStreamingResponseAsync_NaNTemperature_ThrowsArgumentExceptionNamingIt()
    {
        var handler = new FakeHttpHandler().Respond(HttpStatusCode.OK, "{}");
        var client = new OllamaChatClient(new OllamaClientOptions { DefaultModel = "llama3.2" }, new HttpClient(handler));

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { Temperature = float.NaN }))
            {
            }
        });

        Assert.Contains("ChatOptions.Temperature", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_UnreachableBaseUrlWithUserInfo_ExceptionHidesTheSecret()
    {
        using var http = new HttpClient();
        var client = new OpenAIChatClient(new OpenAIConnectionOptions { ApiKey = "sk-test-key-0123456789", DefaultModel = "gpt-4o", BaseUrl = new Uri("http://user:CANARY-SECRET@127.0.0.1:1/v1/") }, http);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));

        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
        Assert.DoesNotContain("CANARY", ex.ToString(), StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:1", ex.Message, StringComparison.Ordinal);
    }
}
