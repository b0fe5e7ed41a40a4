using LlmKit.Tests.Shared;
using Microsoft.Extensions.AI;

namespace LlmKit.Gemini.Tests.Wire;

/// <summary>Gemini generateContent and streamGenerateContent against malformed success bodies and broken streams.</summary>
public class GeminiChatClientWireTests
{
    private const string Chunk1 = """{"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}],"modelVersion":"gemini-2.5-flash","responseId":"r1"}""";
    private const string FinalChunk = """{"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2,"totalTokenCount":7},"modelVersion":"gemini-2.5-flash","responseId":"r1"}""";
    private static readonly string SseHead = RawHttpServer.Head(200, ("Content-Type", "text/event-stream"));
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "Hi")];

    public static TheoryData<string, string, string?> MalformedBodies => new()
    {
        { "empty object", "{}", "candidates" },
        { "empty candidates", """{"candidates":[],"modelVersion":"m"}""", "candidates" },
        { "string candidates", """{"candidates":"hello"}""", "candidates" },
        { "candidate that is a string", """{"candidates":["hello"]}""", "candidates[0]" },
        { "candidate without content or finish reason", """{"candidates":[{"index":0}]}""", "candidates[0].content" },
        { "string content", """{"candidates":[{"content":"hello","finishReason":"STOP"}]}""", "candidates[0].content" },
        { "string parts", """{"candidates":[{"content":{"parts":"hello"},"finishReason":"STOP"}]}""", "candidates[0].content.parts" },
        { "numeric text", """{"candidates":[{"content":{"parts":[{"text":42}]},"finishReason":"STOP"}]}""", "candidates[0].content.parts[].text" },
        { "error object with 200", """{"error":{"code":403,"message":"API key not valid: sk-canary-SECRET-123","status":"PERMISSION_DENIED"}}""", "error" },
        { "html with 200", "<html><body>502 Bad Gateway https://proxy/?key=sk-canary-SECRET-123&x=1</body></html>", null },
        { "string token count", Response("""{"promptTokenCount":"5","candidatesTokenCount":2,"totalTokenCount":7}"""), "usageMetadata.promptTokenCount" },
        { "negative token count", Response("""{"promptTokenCount":-1000000,"candidatesTokenCount":2,"totalTokenCount":7}"""), "usageMetadata.promptTokenCount" },
        { "fractional token count", Response("""{"promptTokenCount":5,"candidatesTokenCount":2.5,"totalTokenCount":7}"""), "usageMetadata.candidatesTokenCount" },
        { "absurd token count", Response("""{"promptTokenCount":5,"candidatesTokenCount":2,"totalTokenCount":99999999999999}"""), "usageMetadata.totalTokenCount" },
    };

    public static TheoryData<string, string, string?> MalformedStreams => new()
    {
        { "plain json instead of a stream", """[{"candidates":[{"content":{"parts":[{"text":"hi"}]},"finishReason":"STOP"}]}]""", null },
        { "html instead of a stream", "<html><body>Service unavailable sk-canary-SECRET-123</body></html>\n", null },
        { "garbage json in a data line", $"data: {Chunk1}\n\ndata: {{nope}}\n\ndata: {FinalChunk}\n\n", null },
        { "numeric text in a chunk", "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":42}]}}]}\n\n" + $"data: {FinalChunk}\n\n", "candidates[0].content.parts[].text" },
        { "negative usage in the final chunk", $"data: {Chunk1}\n\ndata: {FinalChunk.Replace("\"candidatesTokenCount\":2", "\"candidatesTokenCount\":-2", StringComparison.Ordinal)}\n\n", "usageMetadata.candidatesTokenCount" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task GetResponseAsync_MalformedSuccessBody_ThrowsProviderResponseFormatExceptionNamingTheField(string name, string body, string? field)
    {
        _ = name;
        await using var server = RawHttpServer.StartResponse(200, body.StartsWith('<') ? "text/html" : "application/json", body);
        using var client = Client(server);

        var error = await Record.ExceptionAsync(() => client.GetResponseAsync(Hello));

        WireFaults.AssertMalformed(error, "gcp.gemini", field);
    }

    [Theory]
    [MemberData(nameof(MalformedStreams))]
    public async Task GetStreamingResponseAsync_MalformedStream_ThrowsProviderResponseFormatException(string name, string body, string? field)
    {
        _ = name;
        await using var server = RawHttpServer.Start(c => c.WriteAsync(SseHead + body));
        using var client = Client(server);

        var (_, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        WireFaults.AssertMalformed(error, "gcp.gemini", field);
    }

    [Theory]
    [InlineData("close between events", "")]
    [InlineData("close mid-event", "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo")]
    public async Task GetStreamingResponseAsync_CutAfterOneUpdate_ThrowsRetryableNetworkError(string name, string tail)
    {
        _ = name;
        await using var server = RawHttpServer.Start(c => c.WriteAsync(SseHead + $"data: {Chunk1}\n\n" + tail));
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Single(updates);
        WireFaults.AssertCut(error, "gcp.gemini", 1);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CloseRightAfterHeaders_ThrowsRetryableNetworkErrorBeforeAnyUpdate()
    {
        await using var server = RawHttpServer.Start(c => c.WriteAsync(SseHead));
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Empty(updates);
        WireFaults.AssertCut(error, "gcp.gemini", 0);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FiftyMegabytesWithoutNewline_FailsClearlyAfterTheLineLimit()
    {
        await using var server = RawHttpServer.Start(c => WireFaults.WriteHugeLineAsync(c, SseHead + "data: ", 50));
        using var client = Client(server);

        var (_, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        var ex = WireFaults.AssertMalformed(error, "gcp.gemini", null);
        Assert.Contains("4 MiB", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CommentsAndUnknownFields_AreIgnored()
    {
        string body = ": keep-alive\n\nid: 1\nfoo: bar\n\n" + $"data: {Chunk1}\r\n\r\n: ping\n\ndata: {FinalChunk}\n\n";
        await using var server = RawHttpServer.Start(c => c.WriteAsync(SseHead + body));
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Null(error);
        Assert.Equal("Hello", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.Contains("alt=sse", Assert.Single(server.Requests).Target, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ResetBeforeHeadersWithUserInfoInBaseUrl_RetryableNetworkErrorWithoutTheSecret()
    {
        await using var server = RawHttpServer.Start(c =>
        {
            c.Reset();
            return Task.CompletedTask;
        });
        using var client = new GeminiChatClient(new GeminiClientOptions { ApiKey = WireFaults.Canary, BaseUrl = new Uri($"http://admin:hunter2@127.0.0.1:{server.BaseUri.Port}/"), DefaultModel = "gemini-2.5-flash" }, new HttpClient());

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
            await c.WriteAsync(SseHead + $"data: {Chunk1}\n\n");
            c.Reset();
        });
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        // A reset can overtake the bytes in flight; either way the stream is a retryable network failure.
        WireFaults.AssertCut(error, "gcp.gemini", updates.Count);
    }

    private static string Response(string usage)
        => $$"""{"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]},"finishReason":"STOP"}],"usageMetadata":{{usage}},"modelVersion":"gemini-2.5-flash"}""";

    private static GeminiChatClient Client(RawHttpServer server)
        => new(new GeminiClientOptions { ApiKey = WireFaults.Canary, BaseUrl = server.BaseUri, DefaultModel = "gemini-2.5-flash" }, new HttpClient());
}
