using LlmKit.Http;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// The start-up check of the provider connections: an options type with nothing in it, validated on start
/// (<c>ValidateOnStart</c>) by <see cref="ProviderConnectionsCheckValidator"/>, so that a host that starts finds out then,
/// rather than on every request, that a connection has no API key or no usable address.
/// </summary>
internal sealed class ProviderConnectionsCheck;

/// <summary>
/// Creates every provider connection's client once at start-up (they are kept, as the first call would have created
/// them) and reports together every connection whose creation fails with a <see cref="LlmKitConfigurationException"/>:
/// each provider knows its own rules (its key's environment variable, which servers are keyless). Other failures
/// (a secret store that is not reachable yet) are left to the first use, which tries again.
/// </summary>
internal sealed class ProviderConnectionsCheckValidator(ProviderClients clients, IOptions<LlmKitOptions> options) : IValidateOptions<ProviderConnectionsCheck>
{
    public ValidateOptionsResult Validate(string? name, ProviderConnectionsCheck check)
    {
        var configured = options.Value.Providers;
        var problems = new ConfigurationProblems();
        foreach (string connection in clients.Names.Order(StringComparer.OrdinalIgnoreCase))
        {
            try
            {
                _ = clients.Get(connection);
            }
            catch (LlmKitConfigurationException ex)
            {
                var settings = configured.GetValueOrDefault(connection);
                string where = settings is null ? "registered in code" : $"configured under 'LlmKit:Providers:{connection}'";
                string message = SecretMasker.Mask(ex.Message, settings?.ApiKey, settings?.Headers.Values)
                    .Replace("<name>", connection, StringComparison.Ordinal);
                problems.Add(KeyOf(connection, ex), $"provider connection '{connection}' ({where}) cannot be created: {message}");
            }
#pragma warning disable CA1031 // Anything else is not a configuration problem and is retried on first use.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        problems.ThrowIfAny("LlmKit provider connections are not usable:");
        return ValidateOptionsResult.Success;
    }

    private static string KeyOf(string connection, LlmKitConfigurationException ex)
        => ex.Keys.FirstOrDefault(k => k.StartsWith("LlmKit:", StringComparison.Ordinal)) is { } key
            ? key.Replace("<name>", connection, StringComparison.Ordinal)
            : $"LlmKit:Providers:{connection}";
}
