using System.Diagnostics.Metrics;

namespace LlmKit;

/// <summary>The guards' instrument on the <c>LlmKit</c> meter.</summary>
internal static class SafetyTelemetry
{
    /// <summary>Gets <c>llmkit.guard.decisions</c>: one count per guard decision, tagged <c>llmkit.guard.direction</c>, <c>llmkit.guard.finding_type</c> (<c>none</c> for a text with nothing to act on) and <c>llmkit.guard.action</c>.</summary>
    public static Counter<long> Decisions { get; } = LlmKitTelemetry.Meter.CreateCounter<long>(
        "llmkit.guard.decisions",
        unit: "{decision}",
        description: "Safety guard decisions by direction, finding type and action.");

    public static string Name(GuardDirection direction) => direction == GuardDirection.Input ? "input" : "output";

    public static string Name(GuardAction action) => action switch
    {
        GuardAction.Allow => "allow",
        GuardAction.Flag => "flag",
        GuardAction.Redact => "redact",
        GuardAction.Anonymize => "anonymize",
        _ => "block",
    };
}
