using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// Validates a connection's <see cref="AnthropicProviderSettings"/> when they are first read (at host start-up, where
/// every connection is created), throwing a <see cref="LlmKitConfigurationException"/> that names each bad key.
/// </summary>
internal sealed class AnthropicProviderSettingsValidator : IValidateOptions<AnthropicProviderSettings>
{
    public ValidateOptionsResult Validate(string? name, AnthropicProviderSettings options)
    {
        string prefix = $"LlmKit:Providers:{name}:Settings:";
        var keys = new List<string>();
        var messages = new List<string>();
        if (string.IsNullOrWhiteSpace(options.AnthropicVersion))
        {
            keys.Add(prefix + nameof(options.AnthropicVersion));
            messages.Add($"'{prefix}{nameof(options.AnthropicVersion)}' is empty; leave it out for {AnthropicClientOptions.DefaultAnthropicVersion} or set the version the API expects.");
        }

        if (options.DefaultMaxOutputTokens <= 0)
        {
            keys.Add(prefix + nameof(options.DefaultMaxOutputTokens));
            messages.Add($"'{prefix}{nameof(options.DefaultMaxOutputTokens)}' is {options.DefaultMaxOutputTokens}; it must be a positive whole number of tokens.");
        }

        if (!Enum.IsDefined(options.ThinkingStyle))
        {
            keys.Add(prefix + nameof(options.ThinkingStyle));
            messages.Add($"'{prefix}{nameof(options.ThinkingStyle)}' is {(int)options.ThinkingStyle}; use Auto, Adaptive or Budgeted.");
        }

        // Thrown rather than returned, so that the host sees a LlmKit exception with the keys.
        return keys.Count == 0
            ? ValidateOptionsResult.Success
            : throw new LlmKitConfigurationException(string.Join(" ", messages), keys);
    }
}
