using LlmKit;

namespace OpenTelemetry.Metrics;

/// <summary>Subscribes an OpenTelemetry meter provider to LlmKit's metrics.</summary>
public static class LlmKitMeterProviderBuilderExtensions
{
    /// <summary>
    /// Adds LlmKit's <see cref="System.Diagnostics.Metrics.Meter"/> (<see cref="LlmKitTelemetry.MeterName"/>, <c>LlmKit</c>):
    /// the GenAI histograms <c>gen_ai.client.operation.duration</c> and <c>gen_ai.client.token.usage</c> (with the
    /// conventions' bucket boundaries, given as instrument advice) and <c>gen_ai.client.operation.time_to_first_chunk</c>
    /// for streams.
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static MeterProviderBuilder AddLlmKitInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(LlmKitTelemetry.MeterName);
    }
}
