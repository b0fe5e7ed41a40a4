using System.Net;
using System.Net.Http.Headers;

namespace LlmKit.Benchmarks.Providers;

/// <summary>
/// Answers every request with the same bytes, in-process, so that LlmKit.Gemini and the raw baseline parse
/// exactly the same Gemini response and no network time is measured. The request body is read, as a server
/// would read it.
/// </summary>
public sealed class GeminiCannedHandler(byte[] body, string contentType) : HttpMessageHandler
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
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }
}
