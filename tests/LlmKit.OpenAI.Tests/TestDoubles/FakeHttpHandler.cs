using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace LlmKit.OpenAI.Tests.TestDoubles;

/// <summary>An in-process HTTP server stand-in: captures each request and answers with queued responses.</summary>
internal sealed class FakeHttpHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _responses = new();

    public List<CapturedRequest> Requests { get; } = [];

    public FakeHttpHandler Respond(HttpStatusCode status, string body, string contentType = "application/json", params (string Name, string Value)[] headers)
    {
        _responses.Enqueue(() =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, contentType) };
            foreach (var (name, value) in headers)
            {
                response.Headers.TryAddWithoutValidation(name, value);
            }

            return response;
        });
        return this;
    }

    public FakeHttpHandler RespondFixture(string fixture, HttpStatusCode status = HttpStatusCode.OK)
        => Respond(status, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture)), fixture.EndsWith(".sse", StringComparison.Ordinal) ? "text/event-stream" : "application/json");

    /// <summary>Answers with a stream that yields the given chunks and then fails, as a cut connection does.</summary>
    public FakeHttpHandler RespondCutStream(string firstPart)
    {
        _responses.Enqueue(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new CutStream(Encoding.UTF8.GetBytes(firstPart))) });
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string? body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests)
        {
            Requests.Add(new CapturedRequest(request.Method, request.RequestUri!, request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase), body));
        }

        if (!_responses.TryDequeue(out var next))
        {
            throw new InvalidOperationException("The test queued no response for this request.");
        }

        return next();
    }

    private sealed class CutStream(byte[] first) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position < first.Length)
            {
                int n = Math.Min(count, first.Length - _position);
                Array.Copy(first, _position, buffer, offset, n);
                _position += n;
                return n;
            }

            throw new IOException("The connection was reset by the peer.");
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

internal sealed record CapturedRequest(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, string? Body);
