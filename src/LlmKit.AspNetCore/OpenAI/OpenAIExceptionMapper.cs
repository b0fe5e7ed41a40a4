namespace LlmKit.AspNetCore.OpenAI;

/// <summary>Maps LlmKit's exceptions to OpenAI error bodies and HTTP statuses (documented in the package README).</summary>
internal static class OpenAIExceptionMapper
{
    public const string ServerErrorType = "server_error";

    public static OpenAIError Map(Exception exception, DateTimeOffset now) => exception switch
    {
        OpenAIRequestException request => request.Error,
        ModelNotFoundException e => new(404, e.Message, OpenAIError.InvalidRequest, "model", "model_not_found"),
        BudgetExceededException e => new(429, e.Message, "insufficient_quota", null, "budget_exceeded", e.ResetsAt is { } reset ? Until(reset, now) : null),
        RateLimitedException e => e.IsQuotaExhausted
            ? new(429, e.Message, "insufficient_quota", null, "insufficient_quota", e.RetryAfter)
            : new(429, e.Message, "requests", null, "rate_limit_exceeded", e.RetryAfter),
        ContextWindowExceededException e => new(400, e.Message, OpenAIError.InvalidRequest, "messages", "context_length_exceeded"),
        ContentBlockedException e => new(400, e.Message, OpenAIError.InvalidRequest, "messages", "content_policy_violation"),
        ModelUnavailableException e => new(503, e.Message, ServerErrorType, null, "model_unavailable", e.RetryAt is { } at ? Until(at, now) : null),
        StoreUnavailableException e => new(503, e.Message, ServerErrorType, null, "store_unavailable"),
        LlmKitConfigurationException => new(500, "LlmKit is not configured to serve this request; the server's log names the setting to fix.", ServerErrorType, null, "configuration_error"),
        LlmKitException e => ByKind(e),
        _ => new(500, "The server had an error while processing your request.", ServerErrorType, null, null),
    };

    private static OpenAIError ByKind(LlmKitException e) => e.FailureKind switch
    {
        LlmFailureKind.Timeout => new(504, e.Message, ServerErrorType, null, "provider_timeout"),
        LlmFailureKind.Overloaded or LlmFailureKind.Unavailable => new(503, e.Message, ServerErrorType, null, "provider_unavailable"),
        LlmFailureKind.RateLimited => new(429, e.Message, "requests", null, "rate_limit_exceeded"),
        LlmFailureKind.QuotaExhausted => new(429, e.Message, "insufficient_quota", null, "insufficient_quota"),
        LlmFailureKind.ContextWindowExceeded => new(400, e.Message, OpenAIError.InvalidRequest, "messages", "context_length_exceeded"),
        LlmFailureKind.ContentPolicy => new(400, e.Message, OpenAIError.InvalidRequest, "messages", "content_policy_violation"),
        LlmFailureKind.BadRequest => new(400, e.Message, OpenAIError.InvalidRequest, null, "provider_rejected_request"),
        LlmFailureKind.BudgetExceeded => new(429, e.Message, "insufficient_quota", null, "budget_exceeded"),
        _ => new(502, e.Message, ServerErrorType, null, "provider_error"),
    };

    private static TimeSpan Until(DateTimeOffset at, DateTimeOffset now) => at > now ? at - now : TimeSpan.FromSeconds(1);
}
