using System.Collections.Concurrent;

namespace LlmKit.Tests.TestDoubles;

/// <summary>An in-process HTTP endpoint: answers each attempt from a script, records what arrived and when.</summary>
internal sealed class StubHttpHandler(Func<int, HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond, TimeProvider? time = null) : HttpMessageHandler
{
    private int _attempts;

    public StubHttpHandler(Func<int, HttpResponseMessage> respond, TimeProvider? time = null)
        : this((attempt, _, _) => Task.FromResult(respond(attempt)), time)
    {
    }

    /// <summary>Gets the number of requests that arrived.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Gets the request bodies as they arrived, in order (null for no content).</summary>
    public ConcurrentQueue<string?> Bodies { get; } = new();

    /// <summary>Gets when each request arrived, on the given clock.</summary>
    public ConcurrentQueue<DateTimeOffset> ArrivedAt { get; } = new();

    /// <summary>Gets the responses handed out, in order.</summary>
    public ConcurrentQueue<HttpResponseMessage> Responses { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        int attempt = Interlocked.Increment(ref _attempts);
        ArrivedAt.Enqueue((time ?? TimeProvider.System).GetUtcNow());
        Bodies.Enqueue(request.Content is null ? null : await ReadLikeTheNetworkAsync(request.Content, cancellationToken));
        var response = await respond(attempt, request, cancellationToken);
        response.RequestMessage ??= request;
        Responses.Enqueue(response);
        return response;
    }

    /// <summary>Reads the content the way a socket handler sends it (CopyTo, which does not buffer), unlike ReadAsStringAsync.</summary>
    private static async Task<string> ReadLikeTheNetworkAsync(HttpContent content, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        return System.Text.Encoding.UTF8.GetString(copy.ToArray());
    }
}
