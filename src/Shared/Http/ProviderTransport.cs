using System.Net.Http.Headers;

namespace LlmKit.Http;

/// <summary>
/// The HTTP send path every provider client shares: request headers, sending, the status check and error mapping,
/// reading whole bodies into pooled buffers, opening streams, and turning connection failures and HTTP-client
/// time-outs into <see cref="ProviderException"/>s whose messages never show the key. Only the wire format (the
/// body, the error parser, the headers) differs per provider.
/// </summary>
internal sealed class ProviderTransport : IDisposable
{
    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ProviderErrorReader _readError;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly KeyValuePair<string, string>[] _fixedHeaders;
    private readonly KeyValuePair<string, string>[] _customHeaders;
    private readonly bool _sendAccept;
    private readonly bool _sizeBodyFromContentLength;
    private readonly string _displayName;
    private readonly string _origin;
    private readonly string _networkAdvice;
    private readonly string _timeoutAdvice;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="provider">The provider name put in exceptions (<c>openai</c>, <c>anthropic</c>, <c>gcp.gemini</c>).</param>
    /// <param name="displayName">The name used in messages (<c>Anthropic</c>, <c>Ollama</c>).</param>
    /// <param name="origin">The server's address; messages show its origin only.</param>
    /// <param name="apiKey">The key, masked in every message; <see langword="null"/> for none.</param>
    /// <param name="readError">Reads an error response of this wire format.</param>
    /// <param name="httpClient">The HTTP client; <see langword="null"/> creates one that this instance disposes.</param>
    /// <param name="timeProvider">The clock for retry-after dates; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="authorization">An <c>Authorization</c> header sent with every request, or <see langword="null"/>.</param>
    /// <param name="fixedHeaders">Headers added to every request (key headers, versions).</param>
    /// <param name="customHeaders">The app's headers, added last and replacing any header of the same name.</param>
    /// <param name="sendAccept">Whether to send <c>Accept: application/json</c> (or <c>text/event-stream</c> when streaming).</param>
    /// <param name="ownedClientTimeout">The timeout of a client this instance creates; <see langword="null"/> keeps the default.</param>
    /// <param name="sizeBodyFromContentLength">Whether the first body buffer is sized from <c>Content-Length</c> (else 16 KiB, grown as needed).</param>
    /// <param name="networkAdvice">The sentence after a connection failure.</param>
    /// <param name="timeoutAdvice">The last choice offered after a time-out.</param>
    public ProviderTransport(
        string provider,
        string displayName,
        Uri origin,
        string? apiKey,
        ProviderErrorReader readError,
        HttpClient? httpClient,
        TimeProvider? timeProvider,
        AuthenticationHeaderValue? authorization = null,
        KeyValuePair<string, string>[]? fixedHeaders = null,
        IEnumerable<KeyValuePair<string, string>>? customHeaders = null,
        bool sendAccept = true,
        TimeSpan? ownedClientTimeout = null,
        bool sizeBodyFromContentLength = false,
        string networkAdvice = "Check that the server is reachable, then try again.",
        string timeoutAdvice = "use another deployment")
    {
        Provider = provider;
        ApiKey = apiKey;
        _displayName = displayName;
        _origin = SecretMasker.Origin(origin);
        _readError = readError;
        _authorization = authorization;
        _fixedHeaders = fixedHeaders ?? [];
        _customHeaders = customHeaders?.Where(h => !string.Equals(h.Key, "content-type", StringComparison.OrdinalIgnoreCase)).ToArray() ?? [];
        _sendAccept = sendAccept;
        _sizeBodyFromContentLength = sizeBodyFromContentLength;
        _networkAdvice = networkAdvice;
        _timeoutAdvice = timeoutAdvice;
        _ownsHttp = httpClient is null;
        _http = httpClient ?? (ownedClientTimeout is { } timeout ? new HttpClient { Timeout = timeout } : new HttpClient());
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the provider name put in exceptions.</summary>
    public string Provider { get; }

    /// <summary>Gets the key, masked in every message.</summary>
    public string? ApiKey { get; }

    /// <summary>Gets the clock for retry-after dates.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Returns an error reader for the shared mapping (<see cref="ProviderErrors"/>) over one wire format's error body.</summary>
    public static ProviderErrorReader StandardErrors(string provider, Func<ReadOnlyMemory<byte>, ProviderErrorInfo?> parseBody, string[] requestIdHeaders)
        => (response, apiKey, timeProvider, cancellationToken)
            => ProviderErrors.FromResponseAsync(response, provider, parseBody, apiKey, timeProvider, requestIdHeaders, cancellationToken);

    /// <summary>Creates a <c>POST</c> of <paramref name="content"/> to <paramref name="uri"/> with this provider's headers.</summary>
    public HttpRequestMessage CreateRequest(Uri uri, HttpContent content, bool stream)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        ApplyHeaders(request.Headers, stream);
        return request;
    }

    /// <summary>Adds the key, fixed, accept and custom headers (in that order; custom headers replace earlier ones).</summary>
    public void ApplyHeaders(HttpRequestHeaders headers, bool stream)
    {
        if (_authorization is not null)
        {
            headers.Authorization = _authorization;
        }

        foreach (var (name, value) in _fixedHeaders)
        {
            headers.TryAddWithoutValidation(name, value);
        }

        if (_sendAccept)
        {
            headers.Accept.Add(stream ? EventStream : Json);
        }

        foreach (var (name, value) in _customHeaders)
        {
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>Sends and returns a successful response (headers read, body not); maps HTTP errors, connection failures and time-outs.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Failure(ex);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await _readError(response, ApiKey, TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }

        return response;
    }

    /// <summary>Reads a whole body into a pooled array that the caller returns to the pool; maps connection failures and time-outs.</summary>
    public Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        // Reading Content-Length parses and stores the header (an allocation), so only transports that asked for it do.
        var read = _sizeBodyFromContentLength
            ? PooledBody.ReadAllAsync(content, PooledBody.InitialSizeFor(content), cancellationToken)
            : PooledBody.ReadAllAsync(content, cancellationToken);
        return read.IsCompletedSuccessfully ? read : MapFailuresAsync(read, cancellationToken);
    }

    /// <summary>Opens the body of a streaming response; maps connection failures and time-outs.</summary>
    public Task<Stream> OpenStreamAsync(HttpContent content, CancellationToken cancellationToken)
    {
        Task<Stream> open;
        try
        {
            open = content.ReadAsStreamAsync(cancellationToken);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Failure(ex);
        }

        return open.IsCompletedSuccessfully ? open : MapFailuresAsync(open, cancellationToken);
    }

    /// <summary>
    /// Whether <paramref name="ex"/> is a connection failure (<see cref="HttpRequestException"/>, <see cref="IOException"/>)
    /// or the HTTP client's time-out (a cancellation the caller did not ask for).
    /// </summary>
    public static bool IsFailure(Exception ex, CancellationToken cancellationToken)
        => ex is HttpRequestException or IOException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>The exception for a connection failure or time-out, its message masked.</summary>
    public ProviderException Failure(Exception ex)
        => ex is OperationCanceledException
            ? new ProviderException(
                $"{_displayName} did not answer before the HTTP client's timeout. Try again, raise HttpClient.Timeout, or {_timeoutAdvice}.",
                Provider,
                statusCode: null,
                LlmFailureKind.Timeout,
                innerException: ex)
            : new ProviderException(
                $"The connection to {_displayName} at {_origin} failed: {SecretMasker.Mask(ex.Message, ApiKey)} {_networkAdvice}",
                Provider,
                statusCode: null,
                LlmFailureKind.Network,
                innerException: ex);

    /// <summary>Disposes the HTTP client if this instance created it.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    // Completed reads (the common case for small bodies) return their own task: no second task on the hot path.
    private async Task<T> MapFailuresAsync<T>(Task<T> pending, CancellationToken cancellationToken)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Failure(ex);
        }
    }
}
