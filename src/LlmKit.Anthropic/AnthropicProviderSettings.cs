namespace LlmKit;

/// <summary>
/// The provider-specific settings of a configured connection of type <c>Anthropic</c>, bound from
/// <c>LlmKit:Providers:{name}:Settings</c> as named options (the name is the connection's) and validated at host
/// start-up: an unknown key, a value that does not convert or a value out of range stops the host with a
/// <see cref="LlmKitConfigurationException"/> naming the key. A host can also set them in code with
/// <c>services.Configure&lt;AnthropicProviderSettings&gt;("claude", s =&gt; ...)</c>.
/// </summary>
public sealed class AnthropicProviderSettings
{
    /// <summary>Gets or sets the <c>anthropic-version</c> header. Defaults to <c>2023-06-01</c>; must not be empty.</summary>
    public string AnthropicVersion { get; set; } = AnthropicClientOptions.DefaultAnthropicVersion;

    /// <summary>
    /// Gets or sets the <c>max_tokens</c> sent when the call sets no <c>ChatOptions.MaxOutputTokens</c> and the model
    /// registry knows no output limit for the model. Defaults to 4096; must be positive.
    /// </summary>
    public int DefaultMaxOutputTokens { get; set; } = AnthropicClientOptions.DefaultMaxOutputTokensValue;

    /// <summary>
    /// Gets or sets how <c>ChatOptions.Reasoning</c> is sent (<c>Auto</c>, <c>Adaptive</c> or <c>Budgeted</c>). Defaults
    /// to <see cref="AnthropicThinkingStyle.Auto"/>.
    /// </summary>
    public AnthropicThinkingStyle ThinkingStyle { get; set; } = AnthropicThinkingStyle.Auto;
}
