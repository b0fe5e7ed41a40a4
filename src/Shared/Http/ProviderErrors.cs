using System.Net;
using System.Text;

namespace LlmKit.Http;

/// <summary>
/// Turns provider error responses (HTTP or mid-stream) into LlmKit's exceptions, with the status, the
/// provider's code, the request id, whether a retry can help and how long to wait. Messages never show
/// API keys: the configured key and anything shaped like a key are masked.
/// </summary>
internal static class ProviderErrors
{
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>Reads an error response (whatever its content type) and returns the exception to throw.</summary>
    public static async Task<Exception> FromResponseAsync(
        HttpResponseMessage response,
        string provider,
        Func<ReadOnlyMemory<byte>, ProviderErrorInfo?> parseBody,
        string? apiKey,
        TimeProvider timeProvider,
        string[] requestIdHeaders,
        CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            body = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            body = [];
        }

        ProviderErrorInfo? info = null;
        try
        {
            info = parseBody(body);
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON (an HTML error page from a proxy, plain text): use the text itself below.
        }

        string? message = info?.Message;
        if (string.IsNullOrWhiteSpace(message) && body.Length > 0)
        {
            message = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 500)).Trim();
        }

        string? requestId = null;
        foreach (string header in requestIdHeaders)
        {
            if (response.Headers.TryGetValues(header, out var ids))
            {
                requestId = ids.FirstOrDefault();
                break;
            }
        }

        bool? shouldRetry = null;
        if (response.Headers.TryGetValues("x-should-retry", out var retryValues))
        {
            string? v = retryValues.FirstOrDefault();
            shouldRetry = string.Equals(v, "true", StringComparison.OrdinalIgnoreCase) ? true
                : string.Equals(v, "false", StringComparison.OrdinalIgnoreCase) ? false : null;
        }

        var retryAfter = RetryAfterParser.Parse(response.Headers, timeProvider.GetUtcNow()) ?? info?.RetryDelay;
        return Create(provider, response.StatusCode, message, info?.Code ?? info?.Type, requestId, retryAfter, shouldRetry, apiKey);
    }

    /// <summary>Builds the exception for an error; used for HTTP errors and for errors sent inside a stream.</summary>
    public static Exception Create(
        string provider,
        HttpStatusCode? status,
        string? providerMessage,
        string? code,
        string? requestId,
        TimeSpan? retryAfter,
        bool? shouldRetry,
        string? apiKey)
    {
        string said = Mask(providerMessage, apiKey);
        string statusText = status is { } s ? ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture) : "an error in the stream";
        string head = $"{provider} returned {statusText}{(code is null ? string.Empty : $" ({code})")}: {(said.Length == 0 ? "no details" : said)}";
        string requestRef = requestId is null ? string.Empty : $" Request id: {requestId}.";
        var kind = status is { } st ? ProviderException.ClassifyStatus(st) : LlmFailureKind.Unknown;

        if (IsContextLength(code, said))
        {
            var inner = new ProviderException(head + requestRef, provider, status, LlmFailureKind.ContextWindowExceeded, code, requestId, false);
            return new ContextWindowExceededException($"{head}. The request does not fit the model's context window: shorten the conversation, lower the maximum output tokens, or use a model with a larger window.{requestRef}", inner) { Provider = provider };
        }

        if (IsContentPolicy(code, said))
        {
            var inner = new ProviderException(head + requestRef, provider, status, LlmFailureKind.ContentPolicy, code, requestId, false);
            return new ContentBlockedException($"{head}. The provider's content policy refused the request: rephrase it or route it to another model.{requestRef}", provider, [code ?? "content_policy"], inner);
        }

        if (kind == LlmFailureKind.RateLimited || status == HttpStatusCode.TooManyRequests)
        {
            bool quota = IsQuotaExhausted(code, said);
            string advice = quota
                ? " The account's quota or credit is used up; waiting will not help. Add credit or raise the quota."
                : retryAfter is { } wait ? $" Wait {wait.TotalSeconds:0.###} s before trying again, or lower the request rate." : " Wait and try again, or lower the request rate.";
            return new RateLimitedException(head + "." + advice + requestRef, provider, retryAfter, quota, status, code, requestId, quota ? false : shouldRetry);
        }

        if (kind == LlmFailureKind.Unknown && status is null && code is not null && code.Contains("overloaded", StringComparison.OrdinalIgnoreCase))
        {
            kind = LlmFailureKind.Overloaded;
        }

        string todo = kind switch
        {
            LlmFailureKind.Authentication => " Check the API key and its permissions for this model.",
            LlmFailureKind.NotFound => " Check the model name and the base address.",
            LlmFailureKind.BadRequest => " Fix the request; sending it again will fail the same way.",
            LlmFailureKind.Overloaded => " The provider is overloaded; try again shortly or use another deployment.",
            LlmFailureKind.ServerError or LlmFailureKind.Timeout => " Try again shortly or use another deployment.",
            _ => " Check the provider's status and the request.",
        };
        return new ProviderException(head + "." + todo + requestRef, provider, status, kind, code, requestId, shouldRetry);
    }

    /// <summary>Masks the configured key, URL user info and anything shaped like a credential (see <see cref="SecretMasker"/>).</summary>
    public static string Mask(string? text, string? apiKey) => SecretMasker.Mask(text, apiKey);

    private static bool IsContextLength(string? code, string message)
        => code is "context_length_exceeded" or "string_above_max_length"
        || message.Contains("maximum context length", StringComparison.OrdinalIgnoreCase)
        || message.Contains("context window", StringComparison.OrdinalIgnoreCase)
        || message.Contains("prompt is too long", StringComparison.OrdinalIgnoreCase)
        || message.Contains("input token count", StringComparison.OrdinalIgnoreCase) && message.Contains("exceeds", StringComparison.OrdinalIgnoreCase);

    private static bool IsContentPolicy(string? code, string message)
        => code is "content_filter" or "content_policy_violation" or "moderation_blocked"
        || message.Contains("content management policy", StringComparison.OrdinalIgnoreCase);

    private static bool IsQuotaExhausted(string? code, string message)
        => code is "insufficient_quota" or "billing_hard_limit_reached" or "billing_not_active"
        || message.Contains("exceeded your current quota", StringComparison.OrdinalIgnoreCase)
        || message.Contains("credit balance is too low", StringComparison.OrdinalIgnoreCase);

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var memory = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while (memory.Length < MaxBodyBytes && (read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            memory.Write(buffer, 0, read);
        }

        return memory.ToArray();
    }
}
