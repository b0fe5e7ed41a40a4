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

    /// <summary>Gets or sets the API key, or <see langword="null"/> to read the provider's usual environment variable.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the base address of the API, or <see langword="null"/> for the provider's default.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Gets or sets the model used when a call names none, or <see langword="null"/>.</summary>
    public string? DefaultModel { get; set; }

    /// <summary>Gets or sets extra HTTP headers sent with every request. Defaults to none.</summary>
    public Dictionary<string, string> Headers { get; set; } = [];

    /// <summary>Gets or sets provider-specific settings (for example <c>ApiVersion</c> for Azure OpenAI). Defaults to none.</summary>
    public Dictionary<string, string> Settings { get; set; } = [];

    /// <summary>Returns the connection's name, type and address, never its key.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString()
        => $"{Name} ({Type}{(BaseUrl is null ? string.Empty : ", " + BaseUrl)}{(string.IsNullOrEmpty(ApiKey) ? string.Empty : ", api key set")})";
}
