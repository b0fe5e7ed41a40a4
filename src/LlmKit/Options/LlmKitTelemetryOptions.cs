namespace LlmKit;

/// <summary>How the telemetry stage records calls.</summary>
public sealed class LlmKitTelemetryOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether message content (prompts and responses) is recorded on
    /// activities as <c>gen_ai.input.messages</c> and <c>gen_ai.output.messages</c>. Content may hold
    /// personal data, so this defaults to <see langword="false"/>.
    /// </summary>
    public bool RecordMessageContent { get; set; }
}
