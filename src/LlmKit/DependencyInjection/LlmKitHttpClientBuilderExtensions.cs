using LlmKit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds LlmKit's resilience pipeline to <c>HttpClient</c>s from <c>IHttpClientFactory</c>.</summary>
public static class LlmKitHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds an <see cref="LlmKitResilienceHandler"/> to the client: total timeout, retry honouring Retry-After, circuit
    /// breaker and attempt timeout, for hosts that call a provider's HTTP API by hand. All handlers of this client share
    /// one pipeline per service provider, so the circuit state survives handler rotation. The handler is added where this
    /// is called in the chain: call it before other handlers to make it the outermost.
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
        HttpResiliencePipeline.Validate(options, nameof(configure));

        // One pipeline per registration and service provider, resolved by a key only this registration knows.
        object key = new();
        builder.Services.AddKeyedSingleton(key, (sp, _) => new HttpResiliencePipeline(options, sp.GetService<TimeProvider>() ?? TimeProvider.System, nameof(configure)));
        builder.AddHttpMessageHandler(sp => new LlmKitResilienceHandler(sp.GetRequiredKeyedService<HttpResiliencePipeline>(key)));
        return builder;
    }
}
