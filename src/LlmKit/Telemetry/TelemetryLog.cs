using Microsoft.Extensions.Logging;

namespace LlmKit;

/// <summary>Source-generated log messages of the telemetry stage. Never logs content or secrets.</summary>
internal static partial class TelemetryLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "LLM call to {Model} via {Provider} completed in {DurationMs} ms ({InputTokens} input, {OutputTokens} output tokens, finish {FinishReason})")]
    public static partial void CallCompleted(ILogger logger, string? model, string? provider, double durationMs, long? inputTokens, long? outputTokens, string? finishReason);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "LLM call to {Model} via {Provider} failed after {DurationMs} ms with {ErrorType}: {Reason}")]
    public static partial void CallFailed(ILogger logger, string? model, string? provider, double durationMs, string errorType, string reason, Exception? exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "LLM call to {Model} via {Provider} was cancelled after {DurationMs} ms")]
    public static partial void CallCancelled(ILogger logger, string? model, string? provider, double durationMs);
}
