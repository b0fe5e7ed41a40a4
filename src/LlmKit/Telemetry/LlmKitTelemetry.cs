using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LlmKit;

/// <summary>
/// The names and instruments LlmKit's telemetry uses. Subscribe to the <see cref="ActivitySourceName"/>
/// source and the <see cref="MeterName"/> meter (both <c>LlmKit</c>) in OpenTelemetry.
/// </summary>
public static class LlmKitTelemetry
{
    /// <summary>The name of LlmKit's <see cref="System.Diagnostics.ActivitySource"/>: <c>LlmKit</c>.</summary>
    public const string ActivitySourceName = "LlmKit";

    /// <summary>The name of LlmKit's <see cref="System.Diagnostics.Metrics.Meter"/>: <c>LlmKit</c>.</summary>
    public const string MeterName = "LlmKit";

    private static readonly string? Version = typeof(LlmKitTelemetry).Assembly.GetName().Version?.ToString();

    /// <summary>Gets the activity source every LlmKit span is started from.</summary>
    public static ActivitySource ActivitySource { get; } = new(ActivitySourceName, Version);

    /// <summary>Gets the meter every LlmKit instrument belongs to.</summary>
    public static Meter Meter { get; } = new(MeterName, Version);

    /// <summary>Gets <c>gen_ai.client.operation.duration</c> (seconds), with the GenAI conventions' bucket boundaries.</summary>
    internal static Histogram<double> OperationDuration { get; } = Meter.CreateHistogram(
        "gen_ai.client.operation.duration",
        unit: "s",
        description: "GenAI operation duration.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });

    /// <summary>Gets <c>gen_ai.client.token.usage</c> (tokens), with the GenAI conventions' bucket boundaries.</summary>
    internal static Histogram<long> TokenUsage { get; } = Meter.CreateHistogram(
        "gen_ai.client.token.usage",
        unit: "{token}",
        description: "Number of input and output tokens used.",
        tags: null,
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] });

    /// <summary>Gets <c>gen_ai.client.operation.time_to_first_chunk</c> (seconds), recorded for streaming calls only.</summary>
    internal static Histogram<double> TimeToFirstChunk { get; } = Meter.CreateHistogram(
        "gen_ai.client.operation.time_to_first_chunk",
        unit: "s",
        description: "Time to receive the first chunk of a streaming response.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0] });

    /// <summary>Gets <c>llmkit.cache.requests</c>: one per request the response cache looked up, tagged <c>llmkit.cache.result</c> (<c>hit</c> or <c>miss</c>) and <c>gen_ai.request.model</c>.</summary>
    internal static Counter<long> CacheRequests { get; } = Meter.CreateCounter<long>(
        "llmkit.cache.requests",
        unit: "{request}",
        description: "Requests the response cache looked up, by result (hit or miss).");
}
