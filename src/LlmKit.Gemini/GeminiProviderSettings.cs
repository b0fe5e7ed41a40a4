namespace LlmKit;

/// <summary>
/// The provider-specific settings of a configured connection of type <c>Gemini</c>, bound from
/// <c>LlmKit:Providers:{name}:Settings</c> as named options (the name is the connection's) and validated at host
/// start-up: an unknown key or an empty value stops the host with a <see cref="LlmKitConfigurationException"/> naming
/// the key. A host can also set them in code with <c>services.Configure&lt;GeminiProviderSettings&gt;("google", s =&gt; ...)</c>.
/// </summary>
public sealed class GeminiProviderSettings
{
    /// <summary>Gets or sets the API version path segment. Defaults to <c>v1beta</c>; must not be empty.</summary>
    public string ApiVersion { get; set; } = "v1beta";

    /// <summary>Gets or sets the embedding model used when a call names none. Defaults to <c>gemini-embedding-001</c>; must not be empty.</summary>
    public string DefaultEmbeddingModel { get; set; } = "gemini-embedding-001";
}
