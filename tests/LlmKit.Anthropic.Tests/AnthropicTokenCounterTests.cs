using System.Net;
using LlmKit.Anthropic.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace LlmKit.Anthropic.Tests;

public class AnthropicTokenCounterTests
{
    [Fact]
    public async Task CountTokensAsync_PostsToCountEndpoint_ReturnsInputTokens()
    {
        var handler = FakeAnthropicHandler.Json("count-tokens.json");
        using var client = TestClients.Create(handler);
        var counter = client.GetService<IExactTokenCounter>()!;
        var options = new ChatOptions
        {
            ModelId = "claude-opus-4-7",
            MaxOutputTokens = 100,
            Tools = [AIFunctionFactory.CreateDeclaration("lookup", "Looks up.", System.Text.Json.JsonDocument.Parse("""{"type":"object"}""").RootElement)],
        };

        int count = await counter.CountTokensAsync([new ChatMessage(ChatRole.System, "Be terse."), new ChatMessage(ChatRole.User, "Hello")], options);

        Assert.Equal(2095, count);
        var request = handler.Last;
        Assert.Equal("https://api.test.example/v1/messages/count_tokens", request.Uri.AbsoluteUri);
        Assert.Equal(TestClients.ApiKey, request.Header("x-api-key"));
        Assert.Equal("2023-06-01", request.Header("anthropic-version"));
        Assert.Equal("claude-opus-4-7", request.Json.GetProperty("model").GetString());
        Assert.Equal("Be terse.", request.Json.GetProperty("system")[0].GetProperty("text").GetString());
        Assert.Equal("lookup", request.Json.GetProperty("tools")[0].GetProperty("name").GetString());
        Assert.False(request.Json.TryGetProperty("max_tokens", out _));
        Assert.False(request.Json.TryGetProperty("stream", out _));
    }

    [Fact]
    public async Task CountTokensAsync_NoModelInOptions_UsesDefaultModel()
    {
        var handler = FakeAnthropicHandler.Json("count-tokens.json");
        using var client = TestClients.Create(handler);

        await client.GetService<AnthropicTokenCounter>()!.CountTokensAsync([new ChatMessage(ChatRole.User, "Hi")]);

        Assert.Equal("claude-sonnet-4-6", handler.Last.Json.GetProperty("model").GetString());
    }

    [Fact]
    public async Task CountTokensAsync_HttpError_MappedLikeMessages()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Json("error-not-found.json", HttpStatusCode.NotFound));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetService<IExactTokenCounter>()!.CountTokensAsync([new ChatMessage(ChatRole.User, "Hi")]));

        Assert.Equal(LlmFailureKind.NotFound, ex.FailureKind);
    }

    [Fact]
    public async Task CountTokensAsync_BodyWithoutCount_ResponseParseException()
    {
        using var client = TestClients.Create(FakeAnthropicHandler.Bytes("{\"tokens\":3}"u8.ToArray(), "application/json"));

        await Assert.ThrowsAsync<ResponseParseException>(() => client.GetService<IExactTokenCounter>()!.CountTokensAsync([new ChatMessage(ChatRole.User, "Hi")]));
    }
}
