using LlmKit.Tests.Shared;
using Microsoft.Extensions.AI;

namespace LlmKit.OpenAI.Tests.Wire;

/// <summary>
/// Malformed success bodies and broken streams from a byte-level fake server: never a silent success, always the
/// documented exception, kind and retriability, and the canary key nowhere.
/// </summary>
public class OpenAIChatClientWireTests
{
    private const string Chunk1 = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}""";
    private const string Chunk2 = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}""";
    private const string FinishChunk = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""";
    private static readonly string SseHead = RawHttpServer.Head(200, ("Content-Type", "text/event-stream"));
    private static readonly string ChunkedSseHead = RawHttpServer.Head(200, ("Content-Type", "text/event-stream"), ("Transfer-Encoding", "chunked"));
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "Hi")];

    public static TheoryData<string, string, string?> MalformedBodies => new()
    {
        { "empty object", "{}", "choices" },
        { "empty choices", """{"id":"x","choices":[]}""", "choices" },
        { "string choices", """{"id":"x","choices":"hello"}""", "choices" },
        { "choice without message", """{"choices":[{"index":0,"finish_reason":"stop"}]}""", "choices[0].message" },
        { "string message", """{"choices":[{"index":0,"message":"hi"}]}""", "choices[0].message" },
        { "message without content", """{"choices":[{"index":0,"message":{"role":"assistant"},"finish_reason":"stop"}]}""", "choices[0].message.content" },
        { "numeric content", """{"choices":[{"index":0,"message":{"role":"assistant","content":42}}]}""", "choices[0].message.content" },
        { "object content", """{"choices":[{"index":0,"message":{"role":"assistant","content":{"text":"hi"}}}]}""", "choices[0].message.content" },
        { "error object with 200", """{"error":{"message":"Incorrect API key provided: sk-canary-SECRET-123","type":"invalid_request_error","code":"invalid_api_key"}}""", "error" },
        { "html with 200", "<html><body><h1>502 Bad Gateway</h1>upstream http://admin:hunter2@10.0.0.1/ key=sk-canary-SECRET-123</body></html>", null },
        { "plain text", "upstream connect error Bearer sk-canary-SECRET-123", null },
        { "json array", "[1,2,3]", null },
        { "truncated json", """{"choices":[{"index":0,"message":{"role":"assistant","content":"hi""", null },
        { "string token count", Completion("""{"prompt_tokens":"12","completion_tokens":3,"total_tokens":15}"""), "usage.prompt_tokens" },
        { "fractional token count", Completion("""{"prompt_tokens":12,"completion_tokens":3.5,"total_tokens":15}"""), "usage.completion_tokens" },
        { "negative token count", Completion("""{"prompt_tokens":-1000000,"completion_tokens":3,"total_tokens":15}"""), "usage.prompt_tokens" },
        { "absurd token count", Completion("""{"prompt_tokens":12,"completion_tokens":3,"total_tokens":1e300}"""), "usage.total_tokens" },
        { "negative cached tokens", Completion("""{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":-5}}"""), "usage.prompt_tokens_details.cached_tokens" },
        { "string usage", Completion("\"lots\""), "usage" },
    };

    public static TheoryData<string, string, string?> MalformedStreams => new()
    {
        { "error object instead of a stream", """{"error":{"message":"Incorrect API key provided: sk-canary-SECRET-123","type":"invalid_request_error"}}""", null },
        { "plain json instead of a stream", """{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"hi"}}]}""", null },
        { "html instead of a stream", "<html><body>Service temporarily unavailable sk-canary-SECRET-123</body></html>\n", null },
        { "only [DONE]", "data: [DONE]\n\n", null },
        { "garbage json in a data line", "data: {not json}\n\ndata: [DONE]\n\n", null },
        { "numeric delta content", "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":42}}]}\n\ndata: [DONE]\n\n", "choices[].delta.content" },
        { "string choices in a chunk", "data: {\"choices\":\"x\"}\n\ndata: [DONE]\n\n", "choices" },
        { "negative usage in a chunk", $"data: {Chunk1}\n\ndata: {{\"choices\":[],\"usage\":{{\"prompt_tokens\":-1,\"completion_tokens\":1,\"total_tokens\":0}}}}\n\ndata: [DONE]\n\n", "usage.prompt_tokens" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task GetResponseAsync_MalformedSuccessBody_ThrowsProviderResponseFormatExceptionNamingTheField(string name, string body, string? field)
    {
        _ = name;
        await using var server = RawHttpServer.StartResponse(200, body.StartsWith('<') ? "text/html" : "application/json", body);
        using var client = Client(server);

        var error = await Record.ExceptionAsync(() => client.GetResponseAsync(Hello));

        WireFaults.AssertMalformed(error, "openai", field);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task GetResponseAsync_ErrorObjectWith200_KeepsTheProviderCodeAndMasksTheKey()
    {
        await using var server = RawHttpServer.StartResponse(200, "application/json", """{"error":{"message":"Incorrect API key provided: sk-canary-SECRET-123","code":"invalid_api_key"}}""");
        using var client = Client(server);

        var error = await Record.ExceptionAsync(() => client.GetResponseAsync(Hello));

        var ex = WireFaults.AssertMalformed(error, "openai", "error");
        Assert.Equal("invalid_api_key", ex.ProviderErrorCode);
        Assert.Contains("Incorrect API key provided", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_ValidBodyWithNullContentAndToolCalls_Succeeds()
    {
        const string body = """{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""";
        await using var server = RawHttpServer.StartResponse(200, "application/json", body);
        using var client = Client(server);

        var response = await client.GetResponseAsync(Hello);

        Assert.Single(response.Messages[0].Contents.OfType<FunctionCallContent>());
        Assert.Equal(5, response.Usage?.InputTokenCount);
    }

    [Theory]
    [MemberData(nameof(MalformedStreams))]
    public async Task GetStreamingResponseAsync_MalformedStream_ThrowsProviderResponseFormatException(string name, string body, string? field)
    {
        _ = name;
        await using var server = RawHttpServer.Start(c => c.WriteAsync(SseHead + body));
        using var client = Client(server);

        var (_, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        WireFaults.AssertMalformed(error, "openai", field);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_JsonContentTypeErrorBody_ThrowsProviderResponseFormatException()
    {
        await using var server = RawHttpServer.StartResponse(200, "application/json", """{"error":{"message":"quota","type":"insufficient_quota"}}""");
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Empty(updates);
        WireFaults.AssertMalformed(error, "openai", null);
    }

    [Theory]
    [InlineData("close after one chunk", false, false)]
    [InlineData("close mid-event", false, true)]
    [InlineData("chunked, close after one chunk", true, false)]
    [InlineData("chunked, close mid-event", true, true)]
    public async Task GetStreamingResponseAsync_CutAfterOneUpdate_ThrowsRetryableNetworkErrorSayingOneUpdateArrived(string name, bool chunked, bool midEvent)
    {
        _ = name;
        string tail = midEvent ? "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo" : string.Empty;
        await using var server = RawHttpServer.Start(async c =>
        {
            if (chunked)
            {
                await c.WriteAsync(ChunkedSseHead);
                await c.WriteChunkAsync($"data: {Chunk1}\n\n");
                if (tail.Length > 0)
                {
                    await c.WriteChunkAsync(tail);
                }
            }
            else
            {
                await c.WriteAsync(SseHead + $"data: {Chunk1}\n\n" + tail);
            }
        });
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Single(updates);
        Assert.Equal("Hel", updates[0].Text);
        WireFaults.AssertCut(error, "openai", 1);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ResetAfterOneChunk_ThrowsRetryableNetworkError()
    {
        await using var server = RawHttpServer.Start(async c =>
        {
            await c.WriteAsync(SseHead + $"data: {Chunk1}\n\n");
            c.Reset();
        });
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        // A reset can overtake the chunk in flight; either way the stream is a retryable network failure.
        WireFaults.AssertCut(error, "openai", updates.Count);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FinishReasonThenCloseWithoutDone_ThrowsRetryableNetworkError()
    {
        await using var server = RawHttpServer.Start(c => c.WriteAsync(SseHead + $"data: {Chunk1}\n\ndata: {FinishChunk}\n\n"));
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Equal(2, updates.Count);
        WireFaults.AssertCut(error, "openai", 2);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CloseRightAfterHeaders_ThrowsRetryableNetworkErrorBeforeAnyUpdate()
    {
        await using var server = RawHttpServer.Start(c => c.WriteAsync(SseHead));
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Empty(updates);
        WireFaults.AssertCut(error, "openai", 0);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ResetBeforeHeadersWithUserInfoInBaseUrl_RetryableNetworkErrorWithoutTheSecret()
    {
        await using var server = RawHttpServer.Start(c =>
        {
            c.Reset();
            return Task.CompletedTask;
        });
        using var client = new OpenAIChatClient(new OpenAIConnectionOptions { Profile = OpenAICompatibilityProfile.OpenAI, ApiKey = WireFaults.Canary, DefaultModel = "gpt-4o", BaseUrl = new Uri($"http://admin:hunter2@127.0.0.1:{server.BaseUri.Port}/v1/") }, new HttpClient());

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Empty(updates);
        var ex = Assert.IsType<ProviderException>(error);
        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
        Assert.True(ex.IsRetryable);
        WireFaults.AssertNoSecret(ex);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FiftyMegabytesWithoutNewline_FailsClearlyAfterTheLineLimit()
    {
        await using var server = RawHttpServer.Start(c => WireFaults.WriteHugeLineAsync(c, SseHead + "data: ", 50));
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Empty(updates);
        var ex = WireFaults.AssertMalformed(error, "openai", null);
        Assert.Contains("4 MiB", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CommentsAndUnknownFields_AreIgnoredPerTheSseSpecification()
    {
        string body = ": keep-alive\n\nretry: 1000\nid: 7\nfoo: bar\n\n: another comment\n"
            + $"data: {Chunk1}\r\n\r\nevent: message\ndata: {Chunk2}\n\ndata: {FinishChunk}\n\ndata: [DONE]\n\n";
        await using var server = RawHttpServer.Start(c => c.WriteAsync(SseHead + body));
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Null(error);
        Assert.Equal("Hello", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_DoneWithoutTrailingBlankLine_Succeeds()
    {
        await using var server = RawHttpServer.Start(c => c.WriteAsync(SseHead + $"data: {Chunk1}\n\ndata: {FinishChunk}\n\ndata: [DONE]"));
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Null(error);
        Assert.Equal("Hel", string.Concat(updates.Select(u => u.Text)));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ChunkedStreamWithPausesBetweenEvents_Succeeds()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = RawHttpServer.Start(async c =>
        {
            await c.WriteAsync(ChunkedSseHead);
            await c.WriteChunkAsync($"data: {Chunk1}\n\n");
            await release.Task;
            await c.WriteChunkAsync($"data: {FinishChunk}\n\ndata: [DONE]\n\n");
            await c.EndChunksAsync();
        });
        using var client = Client(server);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Hello))
        {
            updates.Add(update);
            release.TrySetResult();
        }

        Assert.Equal(2, updates.Count);
        Assert.Equal(1, server.RequestCount);
        Assert.Contains("\"stream\":true", server.Requests[0].BodyText, StringComparison.Ordinal);
    }

    private static string Completion(string usage)
        => $$"""{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{{usage}}}""";

    private static OpenAIChatClient Client(RawHttpServer server)
        => new(new OpenAIConnectionOptions { Profile = OpenAICompatibilityProfile.OpenAI, ApiKey = WireFaults.Canary, DefaultModel = "gpt-4o", BaseUrl = new Uri(server.BaseUri, "v1/") }, new HttpClient());
}
