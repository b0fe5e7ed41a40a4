using System.Net;
using System.Net.Http.Headers;

namespace LlmKit.Benchmarks.Providers;

/// <summary>
/// Answers every request with the same bytes, in-process, so that every Anthropic contender (LlmKit.Anthropic,
/// the official SDK, a raw HttpClient call) parses exactly the same response and no network time is measured.
/// The request body is read, as a server would read it, and the response carries Anthropic's <c>request-id</c>.
/// </summary>
public sealed class AnthropicCannedHandler(byte[] body, string contentType) : HttpMessageHandler
{
    private readonly MediaTypeHeaderValue _contentType = MediaTypeHeaderValue.Parse(contentType);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            await request.Content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }

        var content = new ByteArrayContent(body);
        content.Headers.ContentType = _contentType;
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
        response.Headers.TryAddWithoutValidation("request-id", "req_011CBenchmark0123456789");
        return response;
    }
}
