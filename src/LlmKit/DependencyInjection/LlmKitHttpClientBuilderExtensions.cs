using LlmKit;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds LlmKit's resilience strategies to <c>HttpClient</c>s from <c>IHttpClientFactory</c>.</summary>
public static class LlmKitHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds a resilience handler (Microsoft.Extensions.Http.Resilience) with LlmKit's LLM-sized strategies to the client,
    /// for hosts that call a provider's HTTP API by hand: concurrency limiter, total timeout, retry (honouring
    /// <c>retry-after-ms</c> and <c>Retry-After</c>, capped by the time left; never a quota-exhausted 429), circuit breaker
    /// and attempt timeout, configured with <see cref="DeploymentResilienceOptions"/>. Time-outs, an open circuit and a full
    /// limiter surface as <see cref="ProviderException"/> and <see cref="RateLimitedException"/> rather than the resilience
    /// library's own exceptions. The pipeline (and its circuit) is shared by every handler of this client, so it survives
    /// the handler rotation of <c>IHttpClientFactory</c>. Provider connections registered with LlmKit get these strategies
    /// without calling this.
    /// </summary>
    /// <param name="builder">The HTTP client builder.</param>
    /// <param name="configure">Changes the settings (read once, here); <see langword="null"/> for the defaults of <see cref="DeploymentResilienceOptions"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The settings hold an invalid value.</exception>
    public static IHttpClientBuilder AddLlmKitResilienceHandler(this IHttpClientBuilder builder, Action<DeploymentResilienceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new DeploymentResilienceOptions();
        configure?.Invoke(options);
        var problems = new List<string>();
        LlmKitOptionsValidator.ValidateResilience("Resilience", options, (key, message) => problems.Add($"'{key}': {message}"));
        if (problems.Count > 0)
        {
            throw new ArgumentException("The resilience settings are invalid: " + string.Join(" ", problems), nameof(configure));
        }

        string name = builder.Name;
        builder.AddHttpMessageHandler(static () => new ResilienceExceptionHandler());
        builder.AddResilienceHandler("llmkit", (pipeline, context) =>
        {
            var time = context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
            pipeline.TimeProvider = time;
            var logger = context.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger(ResilienceLog.Category) ?? NullLogger.Instance;
            DeploymentResilience.AddHttpStrategies(pipeline, options, new DeploymentCircuit(name, time), time, logger);
        });
        return builder;
    }
}
