using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;

namespace LlmKit;

/// <summary>
/// The resilience handler LlmKit puts on each provider package's named <c>HttpClient</c>: one pipeline per deployment
/// (selected by <see cref="DeploymentScope"/>, else per host), configured from that deployment's
/// <see cref="DeploymentOptions.Resilience"/> or <see cref="LlmKitOptions.Resilience"/>.
/// </summary>
internal static class ProviderHttpResilience
{
    /// <summary>The name of the resilience handler's pipeline: <c>llmkit</c>.</summary>
    public const string PipelineName = "llmkit";

    /// <summary>Adds the handler to a named client (once per service collection and client name).</summary>
    public static void Register(IServiceCollection services, string httpClientName, Action<HttpClient>? configureClient)
    {
        if (services.Any(d => d.ServiceType == typeof(Marker) && d.ImplementationInstance is Marker m && string.Equals(m.Name, httpClientName, StringComparison.Ordinal)))
        {
            return;
        }

        services.AddSingleton(new Marker(httpClientName));
        // The resilience handler times each attempt and the whole call; the client's own timeout (100 s by default) would
        // cut long answers and retries short, so it is off.
        var client = services.AddHttpClient(httpClientName, http =>
        {
            http.Timeout = Timeout.InfiniteTimeSpan;
            configureClient?.Invoke(http);
        });
        // The factory's default request logging keeps every header's raw value in its structured state (the API key among
        // them) even where the message text redacts it: provider clients log through LlmKit's telemetry instead. A host
        // that wants the factory's logs back adds them with AddDefaultLogger(), knowing that.
        client.RemoveAllLoggers();
        client.AddResilienceHandler(PipelineName, Configure)
            .SelectPipelineBy(static _ => static request => DeploymentScope.Current ?? request.RequestUri?.Authority ?? string.Empty);
    }

    private static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, ResilienceHandlerContext context)
    {
        var services = context.ServiceProvider;
        var options = services.GetRequiredService<IOptions<LlmKitOptions>>().Value;
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        builder.TimeProvider = time;
        var circuit = services.GetRequiredService<DeploymentCircuits>().Get(context.InstanceName);
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(ResilienceLog.Category) ?? NullLogger.Instance;
        DeploymentResilience.AddHttpStrategies(builder, SettingsFor(options, context.InstanceName), circuit, time, logger);
    }

    /// <summary>The settings of the deployment <c>connection/model</c>: its own, else its connection's, else the global ones.</summary>
    internal static DeploymentResilienceOptions SettingsFor(LlmKitOptions options, string instance)
    {
        int slash = instance.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var connection = instance.AsSpan(0, slash);
            var model = instance.AsSpan(slash + 1);
            foreach (var logical in options.Models.Values)
            {
                foreach (var deployment in logical.Deployments)
                {
                    if (deployment.Resilience is { } own
                        && connection.Equals(deployment.Provider, StringComparison.OrdinalIgnoreCase)
                        && model.Equals(deployment.Model, StringComparison.Ordinal))
                    {
                        return own;
                    }
                }
            }

            return options.ResilienceFor(null, connection.ToString());
        }

        return options.Resilience;
    }

    private sealed record Marker(string Name);
}
