namespace LlmKit;

/// <summary>
/// The provider-specific settings of a configured connection of type <c>Ollama</c> (the native API), bound from
/// <c>LlmKit:Providers:{name}:Settings</c> as named options (the name is the connection's) and validated at host
/// start-up: an unknown key or a <see cref="KeepAlive"/> Ollama would refuse stops the host with a
/// <see cref="LlmKitConfigurationException"/> naming the key.
/// </summary>
public sealed class OllamaProviderSettings
{
    /// <summary>
    /// Gets or sets how long the model stays loaded after a call (Ollama's <c>keep_alive</c>): a duration such as
    /// <c>5m</c>, <c>1h30m</c> or <c>0</c> (unload at once); a negative duration such as <c>-1m</c> keeps it loaded.
    /// Defaults to <see langword="null"/> (the server's default).
    /// </summary>
    public string? KeepAlive { get; set; }
}
