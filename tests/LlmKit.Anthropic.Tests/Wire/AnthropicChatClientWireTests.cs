using LlmKit.Tests.Shared;
using Microsoft.Extensions.AI;

namespace LlmKit.Anthropic.Tests.Wire;

/// <summary>Anthropic Messages against malformed success bodies and broken streams from a byte-level fake server.</summary>
public class AnthropicChatClientWireTests
{
    private const string Start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5\",\"content\":[],\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n";
    private const string BlockStart = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
    private const string Delta = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n";
    private const string BlockStop = "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
    private const string MessageDelta = "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n";
    private const string Stop = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    private static readonly string SseHead = RawHttpServer.Head(200, ("Content-Type", "text/event-stream"));
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "Hi")];

    public static TheoryData<string, string, string?> MalformedBodies => new()
    {
        { "empty object", "{}", "content" },
        { "id without content", """{"id":"msg_1","type":"message","role":"assistant"}""", "content" },
        { "string content", """{"id":"msg_1","type":"message","content":"hi"}""", "content" },
        { "block that is a string", """{"id":"msg_1","type":"message","content":["hi"]}""", "content[0]" },
        { "numeric text", """{"id":"msg_1","type":"message","content":[{"type":"text","text":42}]}""", "content[0].text" },
        { "error object with 200", """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded sk-canary-SECRET-123"}}""", "error" },
        { "html with 200", "<html><body>502 Bad Gateway http://admin:hunter2@10.0.0.1/</body></html>", null },
        { "plain text", "x-api-key: sk-canary-SECRET-123 rejected", null },
        { "string token count", Message("""{"input_tokens":"12","output_tokens":3}"""), "usage.input_tokens" },
        { "negative token count", Message("""{"input_tokens":-1000000,"output_tokens":3}"""), "usage.input_tokens" },
        { "fractional token count", Message("""{"input_tokens":12,"output_tokens":3.5}"""), "usage.output_tokens" },
        { "negative cache read", Message("""{"input_tokens":12,"output_tokens":3,"cache_read_input_tokens":-1}"""), "usage.cache_read_input_tokens" },
    };

    public static TheoryData<string, string, string?> MalformedStreams => new()
    {
        { "error object instead of a stream", """{"type":"error","error":{"type":"invalid_request_error","message":"bad key sk-canary-SECRET-123"}}""", null },
        { "html instead of a stream", "<html><body>Service unavailable</body></html>\n", null },
        { "stop without start", Stop, null },
        { "garbage json in an event", Start + "event: content_block_delta\ndata: {nope}\n\n" + Stop, null },
        { "negative usage in message_delta", Start + BlockStart + Delta + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":-2}}\n\n" + Stop, "usage.output_tokens" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task GetResponseAsync_MalformedSuccessBody_ThrowsProviderResponseFormatExceptionNamingTheField(string name, string body, string? field)
    {
        _ = name;
        await using var server = RawHttpServer.StartResponse(200, body.StartsWith('<') ? "text/html" : "application/json", body);
        using var client = Client(server);

        var error = await Record.ExceptionAsync(() => client.GetResponseAsync(Hello));

        WireFaults.AssertMalformed(error, "anthropic", field);
    }

    [Theory]
    [MemberData(nameof(MalformedStreams))]
    public async Task GetStreamingResponseAsync_MalformedStream_ThrowsProviderResponseFormatException(string name, string body, string? field)
    {
        _ = name;
        await using var server = RawHttpServer.Start(c => c.WriteAsync(SseHead + body));
        using var client = Client(server);

        var (_, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        WireFaults.AssertMalformed(error, "anthropic", field);
    }

    [Theory]
    [InlineData("close between events", "")]
    [InlineData("close mid-event", "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo")]
    [InlineData("close after the stop reason, before message_stop", BlockStop + MessageDelta)]
    public async Task GetStreamingResponseAsync_CutAfterOneUpdate_ThrowsRetryableNetworkError(string name, string tail)
    {
        _ = name;
        await using var server = RawHttpServer.Start(c => c.WriteAsync(SseHead + Start + BlockStart + Delta + tail));
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Single(updates);
        WireFaults.AssertCut(error, "anthropic", 1);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CloseRightAfterHeaders_ThrowsRetryableNetworkErrorBeforeAnyUpdate()
    {
        await using var server = RawHttpServer.Start(c => c.WriteAsync(SseHead));
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Empty(updates);
        WireFaults.AssertCut(error, "anthropic", 0);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FiftyMegabytesWithoutNewline_FailsClearlyAfterTheLineLimit()
    {
        await using var server = RawHttpServer.Start(c => WireFaults.WriteHugeLineAsync(c, SseHead + "data: ", 50));
        using var client = Client(server);

        var (_, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        var ex = WireFaults.AssertMalformed(error, "anthropic", null);
        Assert.Contains("4 MiB", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_PingsCommentsAndUnknownFields_AreIgnored()
    {
        string body = ": keep-alive\n\n" + Start + "event: ping\ndata: {\"type\":\"ping\"}\n\nid: 3\nfoo: bar\n\n" + BlockStart + Delta + BlockStop + MessageDelta + Stop;
        await using var server = RawHttpServer.Start(c => c.WriteAsync(SseHead + body));
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Null(error);
        Assert.Equal("Hel", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ResetBeforeHeadersWithUserInfoInBaseUrl_RetryableNetworkErrorWithoutTheSecret()
    {
        await using var server = RawHttpServer.Start(c =>
        {
            c.Reset();
            return Task.CompletedTask;
        });
        using var client = new AnthropicChatClient(new AnthropicClientOptions { ApiKey = WireFaults.Canary, BaseUrl = new Uri($"http://admin:hunter2@127.0.0.1:{server.BaseUri.Port}/"), DefaultModel = "claude-haiku-4-5" }, new HttpClient());

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Empty(updates);
        var ex = Assert.IsType<ProviderException>(error);
        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
        Assert.True(ex.IsRetryable);
        WireFaults.AssertNoSecret(ex);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ResetAfterOneEvent_ThrowsRetryableNetworkError()
    {
        await using var server = RawHttpServer.Start(async c =>
        {
            await c.WriteAsync(SseHead + Start + BlockStart + Delta);
            c.Reset();
        });
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        // A reset can overtake the bytes in flight; either way the stream is a retryable network failure.
        WireFaults.AssertCut(error, "anthropic", updates.Count);
    }

    private static string Message(string usage)
        => $$"""{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{{usage}}}""";

    private static AnthropicChatClient Client(RawHttpServer server)
        => new(new AnthropicClientOptions { ApiKey = WireFaults.Canary, BaseUrl = server.BaseUri, DefaultModel = "claude-haiku-4-5" }, new HttpClient());
}
