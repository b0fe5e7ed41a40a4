namespace LlmKit;

/// <summary>
/// Settings of a <see cref="GeminiChatClient"/> and a <see cref="GeminiEmbeddingGenerator"/>.
/// <see cref="ToString"/> never shows the key.
/// </summary>
public sealed class GeminiClientOptions
{
    /// <summary>The address used when <see cref="BaseUrl"/> is <see langword="null"/>: <c>https://generativelanguage.googleapis.com/</c>.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://generativelanguage.googleapis.com/");

    /// <summary>The environment variable read when <see cref="ApiKey"/> is <see langword="null"/>: <c>GEMINI_API_KEY</c>.</summary>
    public const string ApiKeyEnvironmentVariable = "GEMINI_API_KEY";

    /// <summary>The environment variable read when neither <see cref="ApiKey"/> nor <c>GEMINI_API_KEY</c> is set: <c>GOOGLE_API_KEY</c>.</summary>
    public const string FallbackApiKeyEnvironmentVariable = "GOOGLE_API_KEY";

    /// <summary>
    /// Gets or sets the API key, sent in the <c>x-goog-api-key</c> header (never in the URL). Defaults to
    /// <see langword="null"/>, which reads <c>GEMINI_API_KEY</c> and then <c>GOOGLE_API_KEY</c>.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the base address, or <see langword="null"/> (the default) for <see cref="DefaultBaseUrl"/>.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Gets or sets the API version path segment. Defaults to <c>v1beta</c>.</summary>
    public string ApiVersion { get; set; } = "v1beta";

    /// <summary>Gets or sets the chat model used when a call names none (for example <c>gemini-2.5-flash</c>). Defaults to <see langword="null"/>.</summary>
    public string? DefaultModel { get; set; }

    /// <summary>Gets or sets the embedding model used when a call names none. Defaults to <c>gemini-embedding-001</c>.</summary>
    public string DefaultEmbeddingModel { get; set; } = "gemini-embedding-001";

    /// <summary>Gets or sets extra HTTP headers sent with every request. Defaults to none.</summary>
    public IDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Returns the address and version, and whether a key is set; never the key.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString()
        => $"Gemini at {BaseUrl ?? DefaultBaseUrl} ({ApiVersion}){(DefaultModel is null ? string.Empty : ", model " + DefaultModel)}{(string.IsNullOrEmpty(ApiKey) ? string.Empty : ", api key set")}";
}
