using Microsoft.Extensions.Logging;

namespace LlmKit;

/// <summary>Source-generated log messages of the safety guards. Never logs content: finding types and counts only.</summary>
internal static partial class SafetyLog
{
    [LoggerMessage(EventId = 1800, Level = LogLevel.Warning, Message = "The {Direction} guard blocked a call for {FindingTypes}")]
    public static partial void Blocked(ILogger logger, string direction, string findingTypes);

    [LoggerMessage(EventId = 1801, Level = LogLevel.Information, Message = "The {Direction} guard acted on {Count} findings ({FindingTypes}) with {Action}")]
    public static partial void Acted(ILogger logger, string direction, int count, string findingTypes, string action);

    [LoggerMessage(EventId = 1802, Level = LogLevel.Error, Message = "Guard audit sink {Sink} failed to record an event")]
    public static partial void SinkFailed(ILogger logger, string sink, Exception exception);

}
