using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LlmKit.Gemini.Tests.TestDoubles;

/// <summary>One request as the fake handler saw it.</summary>
internal sealed class CapturedRequest
{
    public required HttpMethod Method { get; init; }

    public required Uri Uri { get; init; }

    public required Dictionary<string, string> Headers { get; init; }

    public required byte[] Body { get; init; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    public JsonDocument Json() => JsonDocument.Parse(Body);
}

/// <summary>
/// An in-process <see cref="HttpMessageHandler"/> that captures each request and answers with canned bytes
/// (usually a fixture file), so that the client under test runs its real HTTP and parsing code.
/// </summary>
internal sealed class FakeHttpHandler : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _respond;

    public FakeHttpHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) => _respond = respond;

    public List<CapturedRequest> Requests { get; } = [];

    public CapturedRequest LastRequest => Requests[^1];

    /// <summary>Answers every request with the bytes of a fixture file.</summary>
    public static FakeHttpHandler Fixture(string name, HttpStatusCode status = HttpStatusCode.OK, string? contentType = null, Action<HttpResponseMessage>? configure = null)
        => Bytes(Fixtures.Bytes(name), status, contentType ?? (name.EndsWith(".sse", StringComparison.Ordinal) ? "text/event-stream" : "application/json"), configure);

    public static FakeHttpHandler Bytes(byte[] body, HttpStatusCode status = HttpStatusCode.OK, string contentType = "application/json", Action<HttpResponseMessage>? configure = null)
        => new((_, _) =>
        {
            var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(body) };
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            configure?.Invoke(response);
            return Task.FromResult(response);
        });

    public static FakeHttpHandler Stream(Func<Stream> body, string contentType = "text/event-stream")
        => new((_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body()) };
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            return Task.FromResult(response);
        });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[] body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = string.Join(",", values);
        }

        if (request.Content is not null)
        {
            foreach (var (name, values) in request.Content.Headers)
            {
                headers[name] = string.Join(",", values);
            }
        }

        Requests.Add(new CapturedRequest { Method = request.Method, Uri = request.RequestUri!, Headers = headers, Body = body });
        return await _respond(request, cancellationToken);
    }
}

/// <summary>A stream that returns some bytes and then fails as a cut connection does.</summary>
internal sealed class BrokenStream(byte[] first) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position >= first.Length)
        {
            throw new IOException("The connection was reset by the peer.");
        }

        int n = Math.Min(count, first.Length - _position);
        Array.Copy(first, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Reads the fixture files copied next to the test assembly.</summary>
internal static class Fixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

    public static string Text(string name) => File.ReadAllText(Path(name));
}

/// <summary>Builds clients over a fake handler.</summary>
internal static class TestClients
{
    public const string ApiKey = "test-gemini-key-0123456789";

    public static GeminiClientOptions Options(string? model = "gemini-2.5-flash") => new() { ApiKey = ApiKey, DefaultModel = model };

    public static GeminiChatClient Chat(FakeHttpHandler handler, GeminiClientOptions? options = null, TimeProvider? time = null, IModelRegistry? registry = null)
        => new(options ?? Options(), new HttpClient(handler), time, registry);

    public static async Task<List<Microsoft.Extensions.AI.ChatResponseUpdate>> CollectAsync(IAsyncEnumerable<Microsoft.Extensions.AI.ChatResponseUpdate> updates)
    {
        var list = new List<Microsoft.Extensions.AI.ChatResponseUpdate>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }
}
