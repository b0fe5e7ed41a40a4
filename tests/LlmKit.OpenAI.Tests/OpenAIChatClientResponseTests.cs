using System.Net;
using System.Text.Json;
using LlmKit.OpenAI.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace LlmKit.OpenAI.Tests;

/// <summary>Responses and streams parsed from fixtures written after the Chat Completions API reference.</summary>
public class OpenAIChatClientResponseTests
{
    private static (OpenAIChatClient Client, FakeHttpHandler Handler) Create(OpenAICompatibilityProfile? profile = null)
    {
        var handler = new FakeHttpHandler();
        var client = new OpenAIChatClient(new OpenAIConnectionOptions { Profile = profile ?? OpenAICompatibilityProfile.OpenAI, ApiKey = "sk-test-key-0123456789", DefaultModel = "gpt-4o" }, new HttpClient(handler));
        return (client, handler);
    }

    private static async Task<List<ChatResponseUpdate>> StreamAsync(string fixture, OpenAICompatibilityProfile? profile = null)
    {
        var (client, handler) = Create(profile);
        handler.RespondFixture(fixture);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")]))
        {
            updates.Add(update);
        }

        return updates;
    }

    [Fact]
    public async Task GetResponseAsync_Text_MapsTextIdsModelFinishAndUsageWithCachedTokens()
    {
        var (client, handler) = Create();
        handler.RespondFixture("chat-text.json");

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        Assert.Equal("Hello! How can I assist you today?", response.Text);
        Assert.Equal("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", response.ResponseId);
        Assert.Equal("gpt-4.1-2025-04-14", response.ModelId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1741569952), response.CreatedAt);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        // The raw value equals the normalised one, so it is not repeated in AdditionalProperties.
        Assert.Equal("stop", response.FinishReason?.Value);
        Assert.False(response.AdditionalProperties?.ContainsKey(LlmKitResponseProperties.RawFinishReason) ?? false);
        Assert.Equal(ChatRole.Assistant, response.Messages[0].Role);
        Assert.Equal(1119, response.Usage?.InputTokenCount);
        Assert.Equal(1024, response.Usage?.CachedInputTokenCount);
        Assert.Equal(10, response.Usage?.OutputTokenCount);
        Assert.Equal(1129, response.Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task GetResponseAsync_ParallelToolCalls_MapToFunctionCallsWithParsedArguments()
    {
        var (client, handler) = Create();
        handler.RespondFixture("chat-tool-calls.json");

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        var calls = response.Messages[0].Contents.OfType<FunctionCallContent>().ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal("call_abc123", calls[0].CallId);
        Assert.Equal("get_current_weather", calls[0].Name);
        Assert.Equal("Boston, MA", ((JsonElement)calls[0].Arguments!["location"]!).GetString());
        Assert.Equal("celsius", ((JsonElement)calls[1].Arguments!["unit"]!).GetString());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(17, response.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task GetResponseAsync_ReasoningModel_ReportsReasoningInsideOutput()
    {
        var (client, handler) = Create();
        handler.RespondFixture("chat-reasoning.json");

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        Assert.Equal(1200, response.Usage?.OutputTokenCount);
        Assert.Equal(1152, response.Usage?.ReasoningTokenCount);
        Assert.Equal(0, response.Usage?.CachedInputTokenCount);
    }

    [Fact]
    public async Task GetResponseAsync_Refusal_IsTextWithContentFilterFinish()
    {
        var (client, handler) = Create();
        handler.RespondFixture("chat-refusal.json");

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        Assert.Equal("I'm sorry, I can't help with that request.", response.Text);
        Assert.Equal(ChatFinishReason.ContentFilter, response.FinishReason);
        Assert.Equal("I'm sorry, I can't help with that request.", response.AdditionalProperties?["openai.refusal"]);
    }

    [Fact]
    public async Task GetResponseAsync_UnknownFinishReasonAndFields_KeepsRawValueWithoutThrowing()
    {
        var (client, handler) = Create();
        handler.RespondFixture("chat-unknown-finish.json");

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        Assert.Equal("partial", response.Text);
        Assert.Equal("eaten_by_grue", response.FinishReason?.Value);
        Assert.Null(response.Usage);
    }

    [Fact]
    public async Task GetResponseAsync_ToolJsonTruncatedAtLength_KeepsRawArgumentsAndParseError()
    {
        var (client, handler) = Create();
        handler.RespondFixture("chat-truncated-tool.json");

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        var call = Assert.Single(response.Messages[0].Contents.OfType<FunctionCallContent>());
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.NotNull(call.Exception);
        Assert.Equal("{\"path\": \"a.txt\", \"content\": \"Once upon a ti", call.RawRepresentation);
    }

    [Fact]
    public async Task GetResponseAsync_NotJson_ThrowsProviderResponseFormatExceptionNamingProvider()
    {
        var (client, handler) = Create();
        handler.Respond(HttpStatusCode.OK, "<html>gateway</html>", "text/html");

        var ex = await Assert.ThrowsAsync<ProviderResponseFormatException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]));

        Assert.Equal("openai", ex.Provider);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Text_YieldsDeltasThenFinishThenOneUsage()
    {
        var updates = await StreamAsync("stream-text.sse");

        Assert.Equal("Hello \"world\"\n", string.Concat(updates.Select(u => u.Text)));
        Assert.All(updates, u => Assert.Equal("chatcmpl-123", u.ResponseId));
        Assert.Same(updates[0].ResponseId, updates[^1].ResponseId);
        Assert.Equal(ChatFinishReason.Stop, Assert.Single(updates, u => u.FinishReason is not null).FinishReason);
        var usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>());
        Assert.Equal(9, usage.Details.InputTokenCount);
        Assert.Equal(3, usage.Details.OutputTokenCount);
        var whole = updates.ToChatResponse();
        Assert.Equal("gpt-4o-mini", whole.ModelId);
        Assert.Equal(12, whole.Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ParallelToolCallDeltas_AccumulatesByIndex()
    {
        var updates = await StreamAsync("stream-tool-calls.sse");

        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal("call_A", calls[0].CallId);
        Assert.Equal("get_weather", calls[0].Name);
        Assert.Equal("Paris", ((JsonElement)calls[0].Arguments!["location"]!).GetString());
        Assert.Equal("call_B", calls[1].CallId);
        Assert.Equal("CETé", ((JsonElement)calls[1].Arguments!["zone"]!).GetString());
        Assert.Equal(ChatFinishReason.ToolCalls, updates.Single(u => u.FinishReason is not null).FinishReason);
        Assert.Equal(110, updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details.TotalTokenCount);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ReasoningContent_YieldsReasoningThenText()
    {
        var updates = await StreamAsync("stream-reasoning-content.sse", OpenAICompatibilityProfile.DeepSeek);

        var reasoning = string.Concat(updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
        Assert.Equal("Let me think step by step.", reasoning);
        Assert.Equal("Answer: 4", string.Concat(updates.Select(u => u.Text)));
        var usage = updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single();
        Assert.Equal(15, usage.Details.ReasoningTokenCount);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ErrorChunkMidStream_ThrowsAfterEarlierText()
    {
        var (client, handler) = Create();
        handler.RespondFixture("stream-error.sse");
        var texts = new List<string>();

        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")]))
            {
                texts.Add(update.Text);
            }
        });

        Assert.Equal(["Partial"], texts);
        Assert.Equal("server_error", ex.ProviderErrorCode);
        Assert.Contains("The server had an error", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_TruncatedToolJsonAtLength_EmitsCallWithErrorAndLengthFinish()
    {
        var updates = await StreamAsync("stream-truncated-tool.sse");

        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.NotNull(call.Exception);
        Assert.Equal("{\"content\": \"Once upon", call.RawRepresentation);
        Assert.Equal(ChatFinishReason.Length, updates.Single(u => u.FinishReason is not null).FinishReason);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConnectionCutMidStream_ThrowsNetworkProviderException()
    {
        var (client, handler) = Create();
        handler.RespondCutStream("data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n");
        var texts = new List<string>();

        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")]))
            {
                texts.Add(update.Text);
            }
        });

        Assert.Equal(["Hi"], texts);
        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
        Assert.True(ex.IsRetryable);
    }
}
