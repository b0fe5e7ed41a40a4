using System.Collections.Concurrent;
using System.Net.Http.Headers;
using LlmKit.Http;

namespace LlmKit;

/// <summary>
/// The HTTP side shared by the chat client and the embedding generator: addresses, headers
/// (<c>x-goog-api-key</c>, never the key in the URL), sending with error mapping, and reading bodies into pooled
/// buffers.
/// </summary>
internal sealed class GeminiTransport : IDisposable
{
    private const int MaxCachedUris = 256;
    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly ConcurrentDictionary<(string Model, string Method), Uri> _uris = new();

    public GeminiTransport(GeminiClientOptions options, HttpClient? httpClient, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ApiKey = ResolveApiKey(options);
        var baseUrl = ConnectionChecks.CheckBaseUrl(options.BaseUrl ?? GeminiClientOptions.DefaultBaseUrl, "Gemini", "GeminiClientOptions.BaseUrl");

        string version = string.IsNullOrWhiteSpace(options.ApiVersion) ? "v1beta" : options.ApiVersion.Trim('/');
        BaseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        VersionUrl = new Uri(BaseUrl, version + "/");
        _headers = options.Headers is { Count: > 0 } headers ? [.. headers] : [];
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient();
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    public string ApiKey { get; }

    public Uri BaseUrl { get; }

    public Uri VersionUrl { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>Resolves the key: the option, then <c>GEMINI_API_KEY</c>, then <c>GOOGLE_API_KEY</c>.</summary>
    internal static string ResolveApiKey(GeminiClientOptions options)
    {
        string? key = !string.IsNullOrWhiteSpace(options.ApiKey) ? options.ApiKey
            : Environment.GetEnvironmentVariable(GeminiClientOptions.ApiKeyEnvironmentVariable) is { } gemini && !string.IsNullOrWhiteSpace(gemini) ? gemini
            : Environment.GetEnvironmentVariable(GeminiClientOptions.FallbackApiKeyEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new LlmKitConfigurationException(
                $"The Gemini provider needs an API key. Set GeminiClientOptions.ApiKey (configuration key 'LlmKit:Providers:<name>:ApiKey') or the {GeminiClientOptions.ApiKeyEnvironmentVariable} (or {GeminiClientOptions.FallbackApiKeyEnvironmentVariable}) environment variable.",
                ["LlmKit:Providers:<name>:ApiKey"]);
        }

        return ConnectionChecks.NormalizeApiKey(key, "Gemini", "GeminiClientOptions.ApiKey")!;
    }

    /// <summary>Returns <c>{base}/{version}/models/{model}:{method}</c>, cached per model and method.</summary>
    public Uri GetUri(string model, string method)
    {
        if (_uris.TryGetValue((model, method), out var cached))
        {
            return cached;
        }

        // Model names may carry their collection (models/x, tunedModels/y); segments are escaped, the slash kept.
        string resource = GeminiRequestWriter.ModelResource(model);
        string escaped = string.Join('/', resource.Split('/').Select(Uri.EscapeDataString));
        var uri = new Uri(VersionUrl, method == "streamGenerateContent" ? $"{escaped}:{method}?alt=sse" : $"{escaped}:{method}");
        if (_uris.Count < MaxCachedUris)
        {
            _uris.TryAdd((model, method), uri);
        }

        return uri;
    }

    public HttpRequestMessage CreateRequest(Uri uri, HttpContent content, bool stream)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        var headers = request.Headers;
        headers.TryAddWithoutValidation("x-goog-api-key", ApiKey);
        foreach (var (name, value) in _headers)
        {
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value);
        }

        headers.Accept.Add(stream ? EventStream : Json);
        return request;
    }

    /// <summary>Sends and returns a successful response; maps HTTP errors, network failures and time-outs.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw Network(ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Timeout(ex);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await GeminiErrors.FromResponseAsync(response, ApiKey, TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }

        return response;
    }

    public ProviderException Network(Exception ex)
        => new(
            $"The connection to {GeminiErrors.Provider} at {SecretMasker.Origin(BaseUrl)} failed: {ProviderErrors.Mask(ex.Message, ApiKey)} Check that the server is reachable, then try again.",
            GeminiErrors.Provider,
            null,
            LlmFailureKind.Network,
            innerException: ex);

    public static ProviderException Timeout(Exception ex)
        => new(
            $"{GeminiErrors.Provider} did not answer before the HTTP client's timeout. Try again, raise HttpClient.Timeout, or use another deployment.",
            GeminiErrors.Provider,
            null,
            LlmFailureKind.Timeout,
            innerException: ex);

    /// <summary>Reads a whole body into a pooled array that the caller returns to the pool.</summary>
    public async Task<(byte[] Buffer, int Length)> ReadAllAsync(HttpContent content, CancellationToken cancellationToken)
    {
        try
        {
            return await PooledBody.ReadAllAsync(content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw Network(ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Timeout(ex);
        }
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
