namespace LlmKit;

/// <summary>
/// A provider connection as read from configuration (<c>LlmKit:Providers:{name}</c>). Its
/// <see cref="ToString"/> never shows the API key.
/// </summary>
public sealed class ProviderConnectionSettings
{
    /// <summary>Gets or sets the connection name (the configuration key). Set by LlmKit.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets the provider type (for example <c>OpenAI</c>, <c>Anthropic</c>, <c>Gemini</c>, <c>Ollama</c>). Required.</summary>
    public string Type { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the API key, or <see langword="null"/> to read the provider's usual environment variable
    /// (<c>OPENAI_API_KEY</c>, <c>ANTHROPIC_API_KEY</c>...). Surrounding whitespace is ignored. A connection that needs a key
    /// and has none fails at host start-up, unless it is keyless (see <see cref="Keyless"/>).
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the connection sends no API key: a server that needs none, or a gateway that
    /// authenticates through <see cref="Headers"/>. Defaults to <see langword="false"/>. Local servers' types (<c>Ollama</c>,
    /// <c>OllamaOpenAI</c>, <c>vLLM</c>, <c>LlamaCpp</c>, <c>LMStudio</c>) are keyless without it; it makes any
    /// OpenAI-compatible type keyless. Anthropic and Gemini always need a key.
    /// </summary>
    public bool Keyless { get; set; }

    /// <summary>Gets or sets the base address of the API, or <see langword="null"/> for the provider's default.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Gets or sets the model used when a call names none, or <see langword="null"/>.</summary>
    public string? DefaultModel { get; set; }

    /// <summary>Gets or sets extra HTTP headers sent with every request. Defaults to none.</summary>
    public Dictionary<string, string> Headers { get; set; } = [];

    /// <summary>
    /// Gets or sets provider-specific settings as configured (for example <c>ApiVersion</c> for Azure OpenAI). Defaults to
    /// none. The built-in provider types bind them to their typed settings (<c>OpenAIProviderSettings</c>,
    /// <c>OllamaProviderSettings</c>, <c>AnthropicProviderSettings</c>, <c>GeminiProviderSettings</c>) and refuse an unknown
    /// key at host start-up; a type registered with <see cref="ILlmKitBuilder.AddProviderType"/> reads them from here.
    /// </summary>
    public Dictionary<string, string> Settings { get; set; } = [];

    /// <summary>Returns the connection's name, type and address (without user info or query), never its key.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString()
        => $"{Name} ({Type}{(BaseUrl is null ? string.Empty : ", " + (BaseUrl.IsAbsoluteUri ? BaseUrl.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped) : "(relative address)"))}{(string.IsNullOrEmpty(ApiKey) ? string.Empty : ", api key set")})";
}
