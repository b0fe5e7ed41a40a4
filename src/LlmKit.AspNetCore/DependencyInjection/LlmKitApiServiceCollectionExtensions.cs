using LlmKit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the settings of LlmKit's REST endpoints.</summary>
public static class LlmKitApiServiceCollectionExtensions
{
    /// <summary>
    /// Configures <see cref="LlmKitApiOptions"/> for <c>MapLlmKitOpenAI</c> (authentication, claims mapping, limits).
    /// Optional: without it the endpoints use the defaults (API keys only, nothing anonymous, 4 MiB bodies).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the options; <see langword="null"/> (the default) keeps the defaults.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddLlmKitApi(this IServiceCollection services, Action<LlmKitApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<LlmKitApiOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services;
    }
}
