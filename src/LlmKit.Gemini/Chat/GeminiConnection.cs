using System.Collections.Concurrent;
using LlmKit.Http;

namespace LlmKit;

/// <summary>
/// What the chat client and the embedding generator share: the key, the addresses, and the provider transport
/// (<see cref="ProviderTransport"/>) that sends with the <c>x-goog-api-key</c> header (never the key in the URL).
/// </summary>
internal sealed class GeminiConnection : IDisposable
{
    private const int MaxCachedUris = 256;
    private readonly ConcurrentDictionary<(string Model, string Method), Uri> _uris = new();

    public GeminiConnection(GeminiClientOptions options, HttpClient? httpClient, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ApiKey = ResolveApiKey(options);
        var baseUrl = ConnectionChecks.CheckBaseUrl(options.BaseUrl ?? GeminiClientOptions.DefaultBaseUrl, "Gemini", "GeminiClientOptions.BaseUrl");

        string version = string.IsNullOrWhiteSpace(options.ApiVersion) ? "v1beta" : options.ApiVersion.Trim('/');
        BaseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        VersionUrl = new Uri(BaseUrl, version + "/");
        Transport = new ProviderTransport(
            GeminiErrors.Provider,
            GeminiErrors.Provider,
            BaseUrl,
            ApiKey,
            GeminiErrors.FromResponseAsync,
            httpClient,
            timeProvider,
            fixedHeaders: [new("x-goog-api-key", ApiKey)],
            customHeaders: options.Headers);
    }

    public string ApiKey { get; }

    public Uri BaseUrl { get; }

    public Uri VersionUrl { get; }

    /// <summary>Gets the shared send path (headers, error mapping, pooled bodies, failure mapping).</summary>
    public ProviderTransport Transport { get; }

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

    public void Dispose() => Transport.Dispose();
}
