using LlmKit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers LlmKit's health checks with <c>Microsoft.Extensions.Diagnostics.HealthChecks</c>.</summary>
public static class LlmKitHealthChecksBuilderExtensions
{
    /// <summary>
    /// Registers one <see cref="ProviderConnectionHealthCheck"/> per LlmKit provider connection (from code and from
    /// configuration), named <c>llmkit:{connection}</c> and tagged <c>llmkit</c>. Call <c>AddLlmKit()</c> too; calling this
    /// twice registers each check once.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="liveProbe">
    /// Whether each check also makes a tiny billed call to its connection (see <see cref="LlmKitHealthCheckOptions.LiveProbe"/>).
    /// Defaults to <see langword="false"/>.
    /// </param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IHealthChecksBuilder AddLlmKitChecks(this IHealthChecksBuilder builder, bool liveProbe = false)
        => builder.AddLlmKitChecks(o => o.LiveProbe = liveProbe);

    /// <summary>
    /// Registers one <see cref="ProviderConnectionHealthCheck"/> per LlmKit provider connection, named
    /// <c>llmkit:{connection}</c>, with the given settings.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Changes the checks' settings (live probe, its timeout and interval, tags).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The settings hold an invalid value.</exception>
    public static IHealthChecksBuilder AddLlmKitChecks(this IHealthChecksBuilder builder, Action<LlmKitHealthCheckOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new LlmKitHealthCheckOptions();
        configure(options);
        ProviderConnectionHealthCheck.Validate(options, nameof(configure));
        builder.Services.AddSingleton<IConfigureOptions<HealthCheckServiceOptions>>(sp => new LlmKitHealthCheckRegistrar(sp, options));
        return builder;
    }
}
