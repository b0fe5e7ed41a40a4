using System.Net;
using System.Net.Http.Headers;

namespace LlmKit.Benchmarks.Providers;

/// <summary>
/// Answers every request with the same bytes, in-process, so every contender parses exactly the same
/// response and no network time is measured. The request body is read (as a real server would).
/// </summary>
public sealed class CannedResponseHandler(byte[] body, string contentType) : HttpMessageHandler
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
