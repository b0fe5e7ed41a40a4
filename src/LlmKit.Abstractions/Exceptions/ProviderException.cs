using System.Globalization;
using System.Net;

namespace LlmKit;

/// <summary>
/// A provider (OpenAI, Anthropic, Gemini, a local server...) answered with an error or could not be reached.
/// </summary>
/// <remarks>
/// Carries what the provider said in a structured form: the HTTP status, the provider's own error
/// code, the request id to quote to the provider's support, and whether trying again can help.
/// </remarks>
public class ProviderException : LlmKitException
{
    private readonly LlmFailureKind _failureKind;

    /// <summary>Initializes a new instance with a default message.</summary>
    public ProviderException()
        : this("The model provider returned an error. Check the provider's status and the request, then try again.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public ProviderException(string message)
        : this(message, null)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one, or <see langword="null"/>.</param>
    public ProviderException(string message, Exception? innerException)
        : this(message, provider: null, statusCode: null, LlmFailureKind.Unknown, innerException: innerException)
    {
    }

    /// <summary>Initializes a new instance with everything the provider said.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="provider">The provider name, such as <c>openai</c>; <see langword="null"/> when unknown.</param>
    /// <param name="statusCode">The HTTP status code; <see langword="null"/> when no response arrived.</param>
    /// <param name="failureKind">The class of failure.</param>
    /// <param name="providerErrorCode">The provider's own error code or type, such as <c>rate_limit_exceeded</c>.</param>
    /// <param name="requestId">The provider's request id, for support tickets.</param>
    /// <param name="isRetryable">Whether trying the same call again can succeed; <see langword="null"/> derives it from <paramref name="failureKind"/>.</param>
    /// <param name="innerException">The exception that caused this one, or <see langword="null"/>.</param>
    public ProviderException(
        string message,
        string? provider,
        HttpStatusCode? statusCode,
        LlmFailureKind failureKind,
        string? providerErrorCode = null,
        string? requestId = null,
        bool? isRetryable = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        Provider = provider;
        StatusCode = statusCode;
        _failureKind = failureKind;
        ProviderErrorCode = providerErrorCode;
        RequestId = requestId;
        IsRetryable = isRetryable ?? IsRetryableByDefault(failureKind);
    }

    /// <summary>Gets the provider name, such as <c>openai</c>, or <see langword="null"/> when unknown.</summary>
    public string? Provider { get; }

    /// <summary>Gets the HTTP status code, or <see langword="null"/> when no response arrived.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Gets the provider's own error code or type, or <see langword="null"/>.</summary>
    public string? ProviderErrorCode { get; }

    /// <summary>Gets the provider's request id (for support tickets), or <see langword="null"/>.</summary>
    public string? RequestId { get; }

    /// <summary>Gets a value indicating whether trying the same call again can succeed.</summary>
    public bool IsRetryable { get; }

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => _failureKind;

    /// <summary>
    /// Returns whether a failure of the given kind is worth retrying when the provider did not say.
    /// Rate limits, overloads, server errors, time-outs and network failures are; everything else is not.
    /// </summary>
    /// <param name="failureKind">The class of failure.</param>
    /// <returns><see langword="true"/> when a retry can succeed.</returns>
    public static bool IsRetryableByDefault(LlmFailureKind failureKind) => failureKind switch
    {
        LlmFailureKind.RateLimited or LlmFailureKind.Overloaded or LlmFailureKind.ServerError
            or LlmFailureKind.Timeout or LlmFailureKind.Network => true,
        _ => false,
    };

    /// <summary>
    /// Classifies an HTTP status code the way most providers use it: 429 rate limited, 503 and 529
    /// overloaded, other 5xx server error, 408 and 504 time-out, 401 and 403 authentication, 404 not
    /// found, 400, 409 and 422 bad request.
    /// </summary>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <returns>The failure class.</returns>
    public static LlmFailureKind ClassifyStatus(HttpStatusCode statusCode) => (int)statusCode switch
    {
        429 => LlmFailureKind.RateLimited,
        503 or 529 => LlmFailureKind.Overloaded,
        408 or 504 => LlmFailureKind.Timeout,
        401 or 403 => LlmFailureKind.Authentication,
        404 => LlmFailureKind.NotFound,
        400 or 409 or 413 or 422 => LlmFailureKind.BadRequest,
        >= 500 => LlmFailureKind.ServerError,
        _ => LlmFailureKind.Unknown,
    };

    /// <summary>Formats the status code for messages, as <c>429</c>, or <c>none</c> when absent.</summary>
    /// <param name="statusCode">The status code.</param>
    /// <returns>The formatted code.</returns>
    protected static string FormatStatus(HttpStatusCode? statusCode)
        => statusCode is { } s ? ((int)s).ToString(CultureInfo.InvariantCulture) : "none";
}
