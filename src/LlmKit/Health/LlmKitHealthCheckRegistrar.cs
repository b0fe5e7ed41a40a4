using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// Adds one <see cref="ProviderConnectionHealthCheck"/> per provider connection when the health check options are built:
/// connections from configuration are only known once the service provider exists.
/// </summary>
internal sealed class LlmKitHealthCheckRegistrar(IServiceProvider services, LlmKitHealthCheckOptions options) : IConfigureOptions<HealthCheckServiceOptions>
{
    public const string NamePrefix = "llmkit:";

    public void Configure(HealthCheckServiceOptions healthChecks)
    {
        var existing = new HashSet<string>(healthChecks.Registrations.Select(r => r.Name), StringComparer.OrdinalIgnoreCase);
        IReadOnlyCollection<string> names;
        try
        {
            var providers = services.GetService<ProviderClients>()
                ?? throw new LlmKitConfigurationException("LlmKit is not registered: call services.AddLlmKit(...) before AddLlmKitChecks().");
            names = providers.Names;
        }
#pragma warning disable CA1031 // Reported as a failing check rather than breaking every health check of the app.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (existing.Add("llmkit"))
            {
                var failed = HealthCheckResult.Unhealthy($"LlmKit's provider connections cannot be listed: {ex.Message}", ex);
                healthChecks.Registrations.Add(new HealthCheckRegistration("llmkit", new FixedHealthCheck(failed), HealthStatus.Unhealthy, options.Tags));
            }

            return;
        }

        foreach (string name in names.Order(StringComparer.OrdinalIgnoreCase))
        {
            string checkName = NamePrefix + name;
            if (existing.Add(checkName))
            {
                healthChecks.Registrations.Add(new HealthCheckRegistration(checkName, new ProviderConnectionHealthCheck(services, name, options), failureStatus: null, options.Tags));
            }
        }
    }

    private sealed class FixedHealthCheck(HealthCheckResult result) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) => Task.FromResult(result);
    }
}
