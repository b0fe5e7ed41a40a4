using System.Net;
using System.Net.Http.Headers;

namespace LlmKit.Anthropic.Tests.TestDoubles;

/// <summary>
/// An in-process HTTP handler that answers every request with a canned response (a fixture file or bytes) and
/// captures what was sent.
/// </summary>
public sealed class FakeAnthropicHandler : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, int, HttpResponseMessage> _respond;

    public FakeAnthropicHandler(Func<HttpRequestMessage, int, HttpResponseMessage> respond) => _respond = respond;

    public List<CapturedRequest> Requests { get; } = [];

    public CapturedRequest Last => Requests[^1];

    public static FakeAnthropicHandler Json(string fixture, HttpStatusCode status = HttpStatusCode.OK, Action<HttpResponseHeaders>? headers = null)
        => new((_, _) => Respond(Fixtures.Read(fixture), "application/json", status, headers));

    public static FakeAnthropicHandler Bytes(byte[] body, string contentType, HttpStatusCode status = HttpStatusCode.OK, Action<HttpResponseHeaders>? headers = null)
        => new((_, _) => Respond(body, contentType, status, headers));

    public static FakeAnthropicHandler Sse(string fixture, Action<HttpResponseHeaders>? headers = null)
        => new((_, _) => Respond(Fixtures.Read(fixture), "text/event-stream", HttpStatusCode.OK, headers));

    public static FakeAnthropicHandler Stream(Func<Stream> body)
        => new((_, _) => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(body()) { Headers = { ContentType = new MediaTypeHeaderValue("text/event-stream") } },
        });

    public static FakeAnthropicHandler Throws(Exception exception)
        => new((_, _) => throw exception);

    public static HttpResponseMessage Respond(byte[] body, string contentType, HttpStatusCode status, Action<HttpResponseHeaders>? headers)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(body) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        headers?.Invoke(response.Headers);
        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        byte[] body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = string.Join(", ", values);
        }

        Requests.Add(new CapturedRequest(request.Method, request.RequestUri!, headers, request.Content?.Headers.ContentType?.ToString(), body));
        var response = _respond(request, Requests.Count - 1);
        response.RequestMessage = request;
        return response;
    }
}
