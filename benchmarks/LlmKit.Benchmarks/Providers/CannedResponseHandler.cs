using System.Net;
using System.Net.Http.Headers;

namespace LlmKit.Benchmarks.Providers;

/// <summary>
/// Answers every request with the same bytes, in-process, so every contender parses exactly the same
/// response and no network time is measured. The request body is read (as a real server would), and the
/// response carries the given extra headers (for example Anthropic's <c>request-id</c>).
/// </summary>
public sealed class CannedResponseHandler(byte[] body, string contentType, params KeyValuePair<string, string>[] headers) : HttpMessageHandler
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
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }
}
