namespace LlmKit;

/// <summary>Settings of an <see cref="OllamaChatClient"/> (Ollama's native <c>/api/chat</c>). <see cref="ToString"/> never shows the key.</summary>
public sealed class OllamaClientOptions
{
    /// <summary>Gets or sets the server address. Defaults to <c>http://127.0.0.1:11434/</c>.</summary>
    public Uri BaseUrl { get; set; } = new("http://127.0.0.1:11434/");

    /// <summary>Gets or sets a bearer key for servers behind an authenticating proxy or Ollama's hosted service; <see langword="null"/> (the default) sends none, then <c>OLLAMA_API_KEY</c> is read.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the model used when a call names none, or <see langword="null"/>.</summary>
    public string? DefaultModel { get; set; }

    /// <summary>Gets or sets extra headers sent with every request. Defaults to none.</summary>
    public IDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets how long the model stays loaded after a call (Ollama's <c>keep_alive</c>, such as <c>5m</c>), or <see langword="null"/> for the server's default.</summary>
    public string? KeepAlive { get; set; }

    /// <summary>Returns the address, never the key.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString() => $"Ollama at {BaseUrl}{(string.IsNullOrEmpty(ApiKey) ? string.Empty : " (api key set)")}";
}
