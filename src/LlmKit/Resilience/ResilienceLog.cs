using Microsoft.Extensions.Logging;

namespace LlmKit;

/// <summary>
/// LlmKit's routing and resilience events (category <c>LlmKit.Routing</c>). Each names the deployment
/// (<c>connection/model</c> or the configured deployment name) and the reason; none carries a secret: reasons are
/// failure kinds, HTTP status codes and LlmKit's own messages, which mask keys and URL user info.
/// </summary>
internal static partial class ResilienceLog
{
    /// <summary>The logger category of these events.</summary>
    public const string Category = "LlmKit.Routing";

    [LoggerMessage(EventId = 3101, EventName = "LlmKitRetry", Level = LogLevel.Warning,
        Message = "Retrying deployment '{Deployment}' (attempt {Attempt}) in {DelayMs} ms after {Reason}.")]
    public static partial void Retry(ILogger logger, string deployment, int attempt, double delayMs, string reason);

    [LoggerMessage(EventId = 3102, EventName = "LlmKitFallback", Level = LogLevel.Warning,
        Message = "Deployment '{Deployment}' failed ({Reason}); falling back to the next deployment of model '{Model}'.")]
    public static partial void Fallback(ILogger logger, string deployment, string model, string reason);

    [LoggerMessage(EventId = 3103, EventName = "LlmKitCooldown", Level = LogLevel.Warning,
        Message = "Deployment '{Deployment}' cools down for {DurationMs} ms: {Reason}.")]
    public static partial void Cooldown(ILogger logger, string deployment, double durationMs, string reason);

    [LoggerMessage(EventId = 3104, EventName = "LlmKitCircuitOpened", Level = LogLevel.Error,
        Message = "Circuit of deployment '{Deployment}' opened for {BreakMs} ms after {Reason}.")]
    public static partial void CircuitOpened(ILogger logger, string deployment, double breakMs, string reason);

    [LoggerMessage(EventId = 3105, EventName = "LlmKitCircuitHalfOpened", Level = LogLevel.Information,
        Message = "Circuit of deployment '{Deployment}' is half-open: one probe call is let through.")]
    public static partial void CircuitHalfOpened(ILogger logger, string deployment);

    [LoggerMessage(EventId = 3106, EventName = "LlmKitCircuitClosed", Level = LogLevel.Information,
        Message = "Circuit of deployment '{Deployment}' closed: the probe call succeeded.")]
    public static partial void CircuitClosed(ILogger logger, string deployment);
}
