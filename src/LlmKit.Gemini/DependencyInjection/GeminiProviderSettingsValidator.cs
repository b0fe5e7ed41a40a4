using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// Validates a connection's <see cref="GeminiProviderSettings"/> when they are first read (at host start-up, where
/// every connection is created), throwing a <see cref="LlmKitConfigurationException"/> that names each bad key.
/// </summary>
internal sealed class GeminiProviderSettingsValidator : IValidateOptions<GeminiProviderSettings>
{
    public ValidateOptionsResult Validate(string? name, GeminiProviderSettings options)
    {
        string prefix = $"LlmKit:Providers:{name}:Settings:";
        var keys = new List<string>();
        var messages = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ApiVersion))
        {
            keys.Add(prefix + nameof(options.ApiVersion));
            messages.Add($"'{prefix}{nameof(options.ApiVersion)}' is empty; leave it out for v1beta or set a version such as v1.");
        }
        else if (options.ApiVersion.AsSpan().IndexOfAny('/', '?', '#') >= 0 || options.ApiVersion.Contains(' ', StringComparison.Ordinal))
        {
            keys.Add(prefix + nameof(options.ApiVersion));
            messages.Add($"'{prefix}{nameof(options.ApiVersion)}' must be one path segment such as v1 or v1beta (no '/', '?', '#' or space).");
        }

        if (string.IsNullOrWhiteSpace(options.DefaultEmbeddingModel))
        {
            keys.Add(prefix + nameof(options.DefaultEmbeddingModel));
            messages.Add($"'{prefix}{nameof(options.DefaultEmbeddingModel)}' is empty; leave it out for gemini-embedding-001 or name an embedding model.");
        }

        // Thrown rather than returned, so that the host sees a LlmKit exception with the keys.
        return keys.Count == 0
            ? ValidateOptionsResult.Success
            : throw new LlmKitConfigurationException(string.Join(" ", messages), keys);
    }
}
