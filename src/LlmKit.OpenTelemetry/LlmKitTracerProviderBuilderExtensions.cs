using LlmKit;

namespace OpenTelemetry.Trace;

/// <summary>Subscribes an OpenTelemetry tracer provider to LlmKit's spans.</summary>
public static class LlmKitTracerProviderBuilderExtensions
{
    /// <summary>
    /// Adds LlmKit's <see cref="System.Diagnostics.ActivitySource"/> (<see cref="LlmKitTelemetry.ActivitySourceName"/>,
    /// <c>LlmKit</c>): one client span <c>chat {model}</c> per call, with the GenAI semantic conventions' attributes and
    /// LlmKit's own (<c>llmkit.tenant.id</c>, <c>llmkit.template.id</c>, <c>llmkit.template.version</c>,
    /// <c>llmkit.deployment</c>, <c>llmkit.cost.usd</c>).
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static TracerProviderBuilder AddLlmKitInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(LlmKitTelemetry.ActivitySourceName);
    }
}
