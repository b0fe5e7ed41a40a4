using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// Validates a connection's <see cref="OllamaProviderSettings"/> when they are first read (at host start-up), throwing a
/// <see cref="LlmKitConfigurationException"/> that names each bad key.
/// </summary>
internal sealed partial class OllamaProviderSettingsValidator : IValidateOptions<OllamaProviderSettings>
{
    public ValidateOptionsResult Validate(string? name, OllamaProviderSettings options)
    {
        var problems = new SettingsProblems(name);
        if (options.KeepAlive is { } keepAlive && !GoDuration().IsMatch(keepAlive))
        {
            problems.Add(nameof(options.KeepAlive), "is not a duration Ollama reads: use a number with a unit (ns, us, ms, s, m, h) such as 5m or 1h30m, 0 to unload at once, or a negative duration such as -1m to keep the model loaded.");
        }

        return problems.ThrowIfAny();
    }

    /// <summary>A Go duration as <c>time.ParseDuration</c> reads it (Ollama's <c>keep_alive</c> as text).</summary>
    [GeneratedRegex(@"^(0|[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$", RegexOptions.CultureInvariant)]
    private static partial Regex GoDuration();
}
