namespace LlmKit;

/// <summary>
/// The provider-specific settings of a configured connection of an OpenAI or OpenAI-compatible type (<c>OpenAI</c>,
/// <c>AzureOpenAI</c>, <c>Groq</c>, <c>vLLM</c>...), bound from <c>LlmKit:Providers:{name}:Settings</c> as named options
/// (the name is the connection's) and validated at host start-up: an unknown key, a value that does not convert or a
/// value an HTTP header cannot carry stops the host with a <see cref="LlmKitConfigurationException"/> naming the key.
/// A host can also set them in code with <c>services.Configure&lt;OpenAIProviderSettings&gt;("openai", s =&gt; ...)</c>.
/// </summary>
public sealed class OpenAIProviderSettings
{
    /// <summary>Gets or sets the OpenAI organization id (<c>OpenAI-Organization</c> header). Defaults to <see langword="null"/> (not sent).</summary>
    public string? Organization { get; set; }

    /// <summary>Gets or sets the OpenAI project id (<c>OpenAI-Project</c> header). Defaults to <see langword="null"/> (not sent).</summary>
    public string? Project { get; set; }

    /// <summary>
    /// Gets or sets the Azure OpenAI <c>api-version</c> query value (used by the <c>AzureOpenAI</c> type). Defaults to
    /// <c>2024-10-21</c>; must not be empty.
    /// </summary>
    public string ApiVersion { get; set; } = "2024-10-21";

    /// <summary>
    /// Gets or sets a value indicating whether streams ask for the final usage chunk (<c>stream_options.include_usage</c>)
    /// where the profile accepts it. Defaults to <see langword="true"/>.
    /// </summary>
    public bool IncludeStreamUsage { get; set; } = true;
}
