using System.Net;
using System.Text.Json;
using LlmKit.Gemini.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace LlmKit.Gemini.Tests.Chat;

/// <summary>Streams (<c>streamGenerateContent?alt=sse</c>), read from SSE fixtures.</summary>
public sealed class GeminiStreamStateTests
{
    private static async Task<List<ChatResponseUpdate>> StreamAsync(string fixture)
    {
        using var client = TestClients.Chat(FakeHttpHandler.Fixture(fixture));
        return await TestClients.CollectAsync(client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Q")]));
    }

    [Fact]
    public async Task Text_Stream_YieldsOneUpdatePerChunkThenOneFinalUsageWithTheLastValues()
    {
        var updates = await StreamAsync("stream-text.sse");

        Assert.Equal(4, updates.Count);
        Assert.Equal(["The capital", " of France", " is Paris."], updates.Take(3).Select(u => u.Text).ToArray());
        Assert.All(updates, u => Assert.Equal("resp-stream-1", u.ResponseId));
        Assert.All(updates, u => Assert.Equal("resp-stream-1", u.MessageId));
        Assert.All(updates, u => Assert.Equal("gemini-2.5-flash", u.ModelId));
        Assert.All(updates.Take(3), u => Assert.Null(u.FinishReason));

        var usages = updates.SelectMany(u => u.Contents).OfType<UsageContent>().ToList();
        var usage = Assert.Single(usages).Details;
        Assert.Equal(12, usage.InputTokenCount);
        Assert.Equal(4, usage.CachedInputTokenCount);
        Assert.Equal(8, usage.OutputTokenCount);
        Assert.Equal(20, usage.TotalTokenCount);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.Equal("STOP", updates[^1].AdditionalProperties![LlmKitResponseProperties.RawFinishReason]);

        var response = updates.ToChatResponse();
        Assert.Equal("The capital of France is Paris.", response.Text);
        Assert.Equal(20, response.Usage!.TotalTokenCount);
        Assert.Single(response.Messages);
    }

    [Fact]
    public async Task KeepAlive_CommentsBlankLinesAndLfSeparators_AreIgnored()
    {
        var updates = await StreamAsync("stream-keepalive.sse");

        Assert.Equal("Hello", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.Equal(4, updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details.TotalTokenCount);
    }

    [Fact]
    public async Task Thinking_Stream_YieldsReasoningTextAndKeepsTheSignatureThroughToChatResponse()
    {
        var updates = await StreamAsync("stream-thinking.sse");

        Assert.IsType<TextReasoningContent>(Assert.Single(updates[0].Contents));
        Assert.IsType<TextReasoningContent>(Assert.Single(updates[1].Contents));
        Assert.Equal("2 + 2", updates[2].Text);
        var signatureOnly = Assert.IsType<TextReasoningContent>(Assert.Single(updates[4].Contents));
        Assert.Equal(string.Empty, signatureOnly.Text);
        Assert.Equal("U2lnbmF0dXJlRm9yVGhlV2hvbGVUdXJu", signatureOnly.ProtectedData);

        var usage = updates[^1].Contents.OfType<UsageContent>().Single().Details;
        Assert.Equal(36, usage.OutputTokenCount);
        Assert.Equal(30, usage.ReasoningTokenCount);

        var response = updates.ToChatResponse();
        var contents = response.Messages[0].Contents;
        Assert.Equal("**Planning**\nThe user asks for a sum.", Assert.IsType<TextReasoningContent>(contents[0]).Text);
        Assert.Equal("2 + 2 = 4.", Assert.IsType<TextContent>(contents[1]).Text);
        Assert.Equal("U2lnbmF0dXJlRm9yVGhlV2hvbGVUdXJu", Assert.IsType<TextReasoningContent>(contents[2]).ProtectedData);

        // Sent back, the signature travels on an empty text part as Gemini streamed it.
        var handler = FakeHttpHandler.Fixture("generate-text.json");
        using var client = TestClients.Chat(handler);
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Q"), .. response.Messages, new ChatMessage(ChatRole.User, "And 3+3?")]);
        using var json = handler.LastRequest.Json();
        var parts = json.RootElement.GetProperty("contents")[1].GetProperty("parts");
        Assert.Equal(3, parts.GetArrayLength());
        Assert.True(parts[0].GetProperty("thought").GetBoolean());
        Assert.Equal("2 + 2 = 4.", parts[1].GetProperty("text").GetString());
        Assert.Equal("U2lnbmF0dXJlRm9yVGhlV2hvbGVUdXJu", parts[2].GetProperty("thoughtSignature").GetString());
    }

    [Fact]
    public async Task ToolCalls_Stream_YieldsCompleteCallsWithIdsSignatureAndToolCallsFinish()
    {
        var updates = await StreamAsync("stream-tool-calls.sse");

        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(3, calls.Count);
        Assert.Equal(["llmkit_gemini_resp-stream-tools_0", "llmkit_gemini_resp-stream-tools_1", "fc-third"], calls.Select(c => c.CallId).ToArray());
        Assert.Equal("Paris", ((JsonElement)calls[0].Arguments!["city"]!).GetString());
        Assert.Equal("Tokyo", ((JsonElement)calls[1].Arguments!["city"]!).GetString());
        Assert.Equal("Rmlyc3RDYWxsU2ln", calls[0].AdditionalProperties![GeminiPropertyNames.ThoughtSignature]);
        Assert.Null(calls[1].AdditionalProperties);
        Assert.Equal(ChatFinishReason.ToolCalls, updates[^1].FinishReason);
        Assert.Equal("STOP", updates[^1].AdditionalProperties![LlmKitResponseProperties.RawFinishReason]);

        var usage = updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details;
        Assert.Equal(125, usage.InputTokenCount);
        Assert.Equal(83, usage.OutputTokenCount);
        Assert.Equal(55, usage.ReasoningTokenCount);
        Assert.Equal(208, usage.TotalTokenCount);
    }

    [Fact]
    public async Task MaxTokens_Stream_FinishesWithLength()
    {
        var updates = await StreamAsync("stream-max-tokens.sse");

        Assert.Equal("Once upon a time, in a land far", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Length, updates[^1].FinishReason);
        Assert.Equal("MAX_TOKENS", updates[^1].AdditionalProperties![LlmKitResponseProperties.RawFinishReason]);
    }

    [Fact]
    public async Task MaxTokens_StreamEndingOnAFunctionCall_FinishesWithLengthNotToolCalls()
    {
        var updates = await StreamAsync("stream-max-tokens-tool.sse");

        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("Paris", ((JsonElement)call.Arguments!["city"]!).GetString());
        Assert.Equal(ChatFinishReason.Length, updates[^1].FinishReason);
    }

    [Fact]
    public async Task Safety_StreamFilteredMidway_FinishesWithContentFilterAndRatings()
    {
        var updates = await StreamAsync("stream-safety.sse");

        Assert.Equal(ChatFinishReason.ContentFilter, updates[^1].FinishReason);
        var ratings = Assert.IsType<JsonElement>(updates[^1].AdditionalProperties![GeminiPropertyNames.SafetyRatings]);
        Assert.Equal("HARM_CATEGORY_DANGEROUS_CONTENT", ratings[0].GetProperty("category").GetString());
    }

    [Fact]
    public async Task MidStreamError_AfterFirstChunk_ThrowsOverloadedAfterYieldingTheChunk()
    {
        using var client = TestClients.Chat(FakeHttpHandler.Fixture("stream-error.sse"));
        var received = new List<ChatResponseUpdate>();

        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Q")]))
            {
                received.Add(update);
            }
        });

        Assert.Equal("Partial", Assert.Single(received).Text);
        Assert.Equal(LlmFailureKind.Overloaded, ex.FailureKind);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal("UNAVAILABLE", ex.ProviderErrorCode);
        Assert.True(ex.IsRetryable);
        Assert.Contains("overloaded", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task MidStreamError_RateLimitWithRetryInfo_ThrowsRetryableRateLimit()
    {
        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => StreamAsync("stream-error-429.sse"));

        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
        Assert.False(ex.IsQuotaExhausted);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task Truncated_StreamWithoutFinishReason_ThrowsNetworkProviderException()
    {
        var ex = await Assert.ThrowsAsync<ProviderException>(() => StreamAsync("stream-truncated.sse"));

        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task Blocked_PromptInStream_ThrowsContentBlocked()
    {
        var ex = await Assert.ThrowsAsync<ContentBlockedException>(() => StreamAsync("stream-blocked.sse"));

        Assert.Equal(["PROHIBITED_CONTENT"], ex.FindingTypes);
    }

    [Fact]
    public async Task UnknownValues_Stream_KeepsRawFinishReasonAndUnknownParts()
    {
        var updates = await StreamAsync("stream-unknown-values.sse");

        Assert.Equal("ANOTHER_NEW_REASON", updates[^1].FinishReason!.Value.Value);
        Assert.Equal("ANOTHER_NEW_REASON", updates[^1].AdditionalProperties![LlmKitResponseProperties.RawFinishReason]);
        var raw = updates[0].Contents.Single(c => c.RawRepresentation is JsonElement);
        Assert.Equal("print(1)", ((JsonElement)raw.RawRepresentation!).GetProperty("executableCode").GetProperty("code").GetString());
        Assert.Equal("Working.", string.Concat(updates.Select(u => u.Text)));
    }

    [Fact]
    public async Task BrokenConnection_DuringStream_ThrowsNetworkProviderException()
    {
        byte[] first = Fixtures.Bytes("stream-text.sse")[..150];
        using var client = TestClients.Chat(FakeHttpHandler.Stream(() => new BrokenStream(first)));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => TestClients.CollectAsync(client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Q")])));

        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
        Assert.IsType<IOException>(ex.InnerException);
    }
}
