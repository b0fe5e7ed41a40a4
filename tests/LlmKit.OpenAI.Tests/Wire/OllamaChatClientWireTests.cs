using LlmKit.Tests.Shared;
using Microsoft.Extensions.AI;

namespace LlmKit.OpenAI.Tests.Wire;

/// <summary>Ollama's native API (<c>/api/chat</c>, NDJSON streams) against malformed bodies and broken streams.</summary>
public class OllamaChatClientWireTests
{
    private const string Line1 = """{"model":"llama3","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"Hel"},"done":false}""";
    private const string DoneLine = """{"model":"llama3","created_at":"2025-01-01T00:00:01Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":5,"eval_count":2}""";
    private static readonly string NdjsonHead = RawHttpServer.Head(200, ("Content-Type", "application/x-ndjson"));
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "Hi")];

    public static TheoryData<string, string, string?> MalformedBodies => new()
    {
        { "empty object", "{}", "message" },
        { "string message", """{"model":"llama3","message":"hi","done":true}""", "message" },
        { "numeric content", """{"model":"llama3","message":{"role":"assistant","content":42},"done":true}""", "message.content" },
        { "error object with 200", """{"error":"model 'x' not found, key sk-canary-SECRET-123"}""", "error" },
        { "html with 200", "<html><body>502 Bad Gateway http://admin:hunter2@10.0.0.1/</body></html>", null },
        { "string token count", """{"model":"llama3","message":{"role":"assistant","content":"hi"},"done":true,"prompt_eval_count":"12","eval_count":3}""", "prompt_eval_count" },
        { "negative token count", """{"model":"llama3","message":{"role":"assistant","content":"hi"},"done":true,"prompt_eval_count":12,"eval_count":-3}""", "eval_count" },
        { "fractional token count", """{"model":"llama3","message":{"role":"assistant","content":"hi"},"done":true,"prompt_eval_count":1.5,"eval_count":3}""", "prompt_eval_count" },
    };

    public static TheoryData<string, string, string?> MalformedStreams => new()
    {
        { "html instead of a stream", "<html><body>Service unavailable sk-canary-SECRET-123</body></html>\n", null },
        { "garbage line", $"{Line1}\nnot json\n{DoneLine}\n", null },
        { "numeric content in a line", "{\"message\":{\"role\":\"assistant\",\"content\":42},\"done\":false}\n" + DoneLine + "\n", "message.content" },
        { "negative count on the last line", Line1 + "\n" + DoneLine.Replace("\"eval_count\":2", "\"eval_count\":-2", StringComparison.Ordinal) + "\n", "eval_count" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task GetResponseAsync_MalformedSuccessBody_ThrowsProviderResponseFormatExceptionNamingTheField(string name, string body, string? field)
    {
        _ = name;
        await using var server = RawHttpServer.StartResponse(200, body.StartsWith('<') ? "text/html" : "application/json", body);
        using var client = Client(server);

        var error = await Record.ExceptionAsync(() => client.GetResponseAsync(Hello));

        WireFaults.AssertMalformed(error, "ollama", field);
    }

    [Theory]
    [MemberData(nameof(MalformedStreams))]
    public async Task GetStreamingResponseAsync_MalformedStream_ThrowsProviderResponseFormatException(string name, string body, string? field)
    {
        _ = name;
        await using var server = RawHttpServer.Start(c => c.WriteAsync(NdjsonHead + body));
        using var client = Client(server);

        var (_, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        WireFaults.AssertMalformed(error, "ollama", field);
    }

    [Theory]
    [InlineData("close between lines", "")]
    [InlineData("close mid-line", "{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"lo")]
    public async Task GetStreamingResponseAsync_CutAfterOneUpdate_ThrowsRetryableNetworkError(string name, string tail)
    {
        _ = name;
        await using var server = RawHttpServer.Start(c => c.WriteAsync(NdjsonHead + Line1 + "\n" + tail));
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Single(updates);
        WireFaults.AssertCut(error, "ollama", 1);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_EmptyBody_ThrowsRetryableNetworkErrorBeforeAnyUpdate()
    {
        await using var server = RawHttpServer.Start(c => c.WriteAsync(NdjsonHead));
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Empty(updates);
        WireFaults.AssertCut(error, "ollama", 0);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FiftyMegabytesWithoutNewline_FailsClearlyAfterTheLineLimit()
    {
        await using var server = RawHttpServer.Start(c => WireFaults.WriteHugeLineAsync(c, NdjsonHead, 50));
        using var client = Client(server);

        var (_, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        var ex = WireFaults.AssertMalformed(error, "ollama", null);
        Assert.Contains("4 MiB", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_EndsWithDoneLine_SucceedsWithUsage()
    {
        await using var server = RawHttpServer.Start(c => c.WriteAsync(NdjsonHead + Line1 + "\n\n" + DoneLine + "\n"));
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Null(error);
        Assert.Equal("Hel", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.Equal(5, updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details.InputTokenCount);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ResetBeforeHeadersWithUserInfoInBaseUrl_RetryableNetworkErrorWithoutTheSecret()
    {
        await using var server = RawHttpServer.Start(c =>
        {
            c.Reset();
            return Task.CompletedTask;
        });
        using var client = new OllamaChatClient(new OllamaClientOptions { BaseUrl = new Uri($"http://admin:hunter2@127.0.0.1:{server.BaseUri.Port}/"), ApiKey = WireFaults.Canary, DefaultModel = "llama3" }, new HttpClient());

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
            await c.WriteAsync(NdjsonHead + Line1 + "\n");
            c.Reset();
        });
        using var client = Client(server);

        var (updates, error) = await WireFaults.CollectAsync(client.GetStreamingResponseAsync(Hello));

        // A reset can overtake the bytes in flight; either way the stream is a retryable network failure.
        WireFaults.AssertCut(error, "ollama", updates.Count);
    }

    private static OllamaChatClient Client(RawHttpServer server)
        => new(new OllamaClientOptions { BaseUrl = server.BaseUri, ApiKey = WireFaults.Canary, DefaultModel = "llama3" }, new HttpClient());
}
