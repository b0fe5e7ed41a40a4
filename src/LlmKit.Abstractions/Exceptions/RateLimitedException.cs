using System.Net;

namespace LlmKit;

/// <summary>
/// A provider or a LlmKit client-side limiter rejected the call for exceeding a rate limit, or the
/// account's quota is exhausted.
/// </summary>
public class RateLimitedException : ProviderException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public RateLimitedException()
        : this("The model provider rejected the call for exceeding a rate limit. Wait and try again, or lower the request rate.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public RateLimitedException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one, or <see langword="null"/>.</param>
    public RateLimitedException(string message, Exception? innerException)
        : this(message, provider: null, retryAfter: null, innerException: innerException)
    {
    }

    /// <summary>Initializes a new instance with everything the provider said.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="provider">The provider name, or <see langword="null"/> for a client-side limiter.</param>
    /// <param name="retryAfter">How long the provider asked to wait, or <see langword="null"/> when it did not say.</param>
    /// <param name="isQuotaExhausted"><see langword="true"/> when the account's quota or credit is used up; such a call is never retried.</param>
    /// <param name="statusCode">The HTTP status code; defaults to 429.</param>
    /// <param name="providerErrorCode">The provider's own error code.</param>
    /// <param name="requestId">The provider's request id.</param>
    /// <param name="isRetryable">Overrides whether a retry can help; defaults to <see langword="true"/> unless the quota is exhausted.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public RateLimitedException(
        string message,
        string? provider,
        TimeSpan? retryAfter,
        bool isQuotaExhausted = false,
        HttpStatusCode? statusCode = HttpStatusCode.TooManyRequests,
        string? providerErrorCode = null,
        string? requestId = null,
        bool? isRetryable = null,
        Exception? innerException = null)
        : base(
            message,
            provider,
            statusCode,
            isQuotaExhausted ? LlmFailureKind.QuotaExhausted : LlmFailureKind.RateLimited,
            providerErrorCode,
            requestId,
            isRetryable ?? !isQuotaExhausted,
            innerException)
    {
        RetryAfter = retryAfter;
        IsQuotaExhausted = isQuotaExhausted;
    }

    /// <summary>Gets how long the provider asked to wait before trying again, or <see langword="null"/> when it did not say.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Gets a value indicating whether the account's quota or credit is exhausted; waiting does not help.</summary>
    public bool IsQuotaExhausted { get; }
}
