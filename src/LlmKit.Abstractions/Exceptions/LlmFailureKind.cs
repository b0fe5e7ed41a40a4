namespace LlmKit;

/// <summary>
/// Classifies a failed LLM call so that retries, routing and fallback can act on it without
/// parsing messages.
/// </summary>
public enum LlmFailureKind
{
    /// <summary>The failure could not be classified.</summary>
    Unknown = 0,

    /// <summary>The provider rejected the call for exceeding a rate limit (HTTP 429); retrying later can succeed.</summary>
    RateLimited,

    /// <summary>The account's quota or credit is exhausted (a 429 that will not clear by waiting); never retried.</summary>
    QuotaExhausted,

    /// <summary>The provider is overloaded (HTTP 503, Anthropic 529).</summary>
    Overloaded,

    /// <summary>The provider failed with a server error (HTTP 5xx other than overload).</summary>
    ServerError,

    /// <summary>The call timed out.</summary>
    Timeout,

    /// <summary>The connection failed or was cut.</summary>
    Network,

    /// <summary>The prompt plus the requested output does not fit the model's context window.</summary>
    ContextWindowExceeded,

    /// <summary>The provider or a LlmKit guard refused the content.</summary>
    ContentPolicy,

    /// <summary>The credentials were missing, invalid or not allowed (HTTP 401, 403).</summary>
    Authentication,

    /// <summary>The request was malformed or not supported (HTTP 400, 422).</summary>
    BadRequest,

    /// <summary>The model or endpoint does not exist (HTTP 404).</summary>
    NotFound,

    /// <summary>A LlmKit budget or quota would be exceeded.</summary>
    BudgetExceeded,

    /// <summary>The provider answered with content LlmKit could not parse.</summary>
    InvalidResponse,

    /// <summary>
    /// No deployment can take the call now (every circuit is open, or every deployment is cooling down); the exception says
    /// when the first one will be tried again. Retrying after that time can succeed.
    /// </summary>
    Unavailable,
}
