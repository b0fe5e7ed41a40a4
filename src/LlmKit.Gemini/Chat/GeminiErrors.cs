using System.Globalization;
using System.Net;
using System.Text.Json;
using LlmKit.Http;

namespace LlmKit;

/// <summary>How a Gemini 429 reads once its <c>QuotaFailure</c>, <c>ErrorInfo</c> and <c>RetryInfo</c> details are weighed.</summary>
internal enum GeminiQuotaVerdict
{
    /// <summary>The body says nothing about quotas: the shared classification stands.</summary>
    Unknown,

    /// <summary>A per-minute (or other short-window) limit: retryable after the delay.</summary>
    RateLimited,

    /// <summary>A per-day limit, or a limit of zero: waiting minutes does not help.</summary>
    Exhausted,
}

/// <summary>What a Gemini error body (<c>{"error":{"code","message","status","details":[...]}}</c>) said.</summary>
internal sealed class GeminiErrorBody
{
    public int HttpCode { get; set; }

    public string? Message { get; set; }

    public string? Status { get; set; }

    public string? Reason { get; set; }

    public TimeSpan? RetryDelay { get; set; }

    public GeminiQuotaVerdict Quota { get; set; }

    public string? ExhaustedQuota { get; set; }

    public ProviderErrorInfo Info => new(Message, Reason ?? Status, Status, RetryDelay);
}

/// <summary>
/// Maps Gemini's errors to LlmKit's exceptions: HTTP errors and error objects inside the stream go through the
/// shared <see cref="ProviderErrors"/>, then Gemini's own details refine the result.
/// </summary>
/// <remarks>
/// Quota rule for 429 <c>RESOURCE_EXHAUSTED</c>: a <c>QuotaFailure</c> violation (or an <c>ErrorInfo</c>
/// <c>quota_limit</c>) whose quota id or metric names a day (<c>PerDay</c>, <c>per_day</c>, <c>Daily</c>), or whose
/// limit is <c>0</c> (the model is not offered on the account's tier), means the quota is exhausted: not
/// retryable, whatever <c>RetryInfo</c> says. Any other quota violation (per minute) or a <c>RetryInfo</c> alone
/// means a rate limit: retryable after <c>retryDelay</c> (or the <c>Retry-After</c> header, which wins). A 429
/// with neither keeps the shared rule (the text "exceeded your current quota" means exhausted).
/// </remarks>
internal static class GeminiErrors
{
    /// <summary>The provider name used in telemetry and errors (OpenTelemetry GenAI: <c>gcp.gemini</c>).</summary>
    public const string Provider = "gcp.gemini";

    public static readonly string[] RequestIdHeaders = ["x-request-id", "x-goog-request-id"];

    public static async Task<Exception> FromResponseAsync(HttpResponseMessage response, string? apiKey, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        GeminiErrorBody? parsed = null;
        var exception = await ProviderErrors.FromResponseAsync(
            response,
            Provider,
            body =>
            {
                parsed = Parse(body.Span);
                return parsed?.Info;
            },
            apiKey,
            timeProvider,
            RequestIdHeaders,
            cancellationToken).ConfigureAwait(false);
        return Refine(exception, parsed, apiKey);
    }

    /// <summary>Builds the exception for an <c>error</c> object sent inside the stream.</summary>
    public static Exception FromStreamError(GeminiErrorBody body, string? apiKey)
    {
        HttpStatusCode? status = body.HttpCode is >= 400 and <= 599 ? (HttpStatusCode)body.HttpCode : StatusFromCanonical(body.Status);
        var exception = ProviderErrors.Create(Provider, status, body.Message, body.Reason ?? body.Status, null, body.RetryDelay, null, apiKey);
        return Refine(exception, body, apiKey);
    }

    /// <summary>The prompt was blocked (<c>promptFeedback.blockReason</c>).</summary>
    public static ContentBlockedException PromptBlocked(string blockReason, string? blockMessage, IReadOnlyList<string> categories)
    {
        var findings = new List<string>(categories.Count + 1) { blockReason };
        findings.AddRange(categories);
        string detail = string.IsNullOrWhiteSpace(blockMessage) ? string.Empty : " " + blockMessage.Trim();
        string which = categories.Count == 0 ? string.Empty : $" (categories: {string.Join(", ", categories)})";
        return new ContentBlockedException(
            $"{Provider} blocked the prompt ({blockReason}){which}.{detail} Rephrase the request, relax safetySettings, or route it to another model.",
            Provider,
            findings);
    }

    /// <summary>Parses an error body; <see langword="null"/> when it is not Gemini's error shape.</summary>
    public static GeminiErrorBody? Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        var reader = new Utf8JsonReader(body);
        if (!reader.Read())
        {
            return null;
        }

        // Some Google front ends wrap the error in an array.
        if (reader.TokenType == JsonTokenType.StartArray && !reader.Read())
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    return ReadErrorObject(ref reader);
                }

                if (reader.TokenType == JsonTokenType.String)
                {
                    return new GeminiErrorBody { Message = reader.GetString() };
                }
            }

            reader.Read();
            reader.Skip();
        }

        return null;
    }

    /// <summary>Reads the object after <c>"error":</c>; the reader is on its start.</summary>
    public static GeminiErrorBody ReadErrorObject(ref Utf8JsonReader reader)
    {
        var body = new GeminiErrorBody();
        bool hasQuotaFailure = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int code))
                {
                    body.HttpCode = code;
                }
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                body.Message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                body.Status = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("details"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType == JsonTokenType.StartObject)
                        {
                            ReadDetail(ref reader, body, ref hasQuotaFailure);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (body.Quota == GeminiQuotaVerdict.Unknown && (hasQuotaFailure || body.RetryDelay is not null))
        {
            body.Quota = GeminiQuotaVerdict.RateLimited;
        }

        return body;
    }

    /// <summary>Reads one entry of <c>details</c>; fields are recognised by name whatever the <c>@type</c> order.</summary>
    private static void ReadDetail(ref Utf8JsonReader reader, GeminiErrorBody body, ref bool hasQuotaFailure)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("retryDelay"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && TryParseDuration(reader.GetString(), out var delay))
                {
                    body.RetryDelay = delay;
                }
            }
            else if (reader.ValueTextEquals("violations"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    string? quotaId = null, metric = null, value = null;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("quotaId"u8))
                        {
                            reader.Read();
                            quotaId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        }
                        else if (reader.ValueTextEquals("quotaMetric"u8) || reader.ValueTextEquals("subject"u8))
                        {
                            reader.Read();
                            metric ??= reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        }
                        else if (reader.ValueTextEquals("quotaValue"u8))
                        {
                            reader.Read();
                            value = reader.TokenType switch
                            {
                                JsonTokenType.String => reader.GetString(),
                                JsonTokenType.Number => reader.GetDouble().ToString(CultureInfo.InvariantCulture),
                                _ => null,
                            };
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }

                    hasQuotaFailure = true;
                    Weigh(body, quotaId ?? metric, metric, value);
                }
            }
            else if (reader.ValueTextEquals("reason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    body.Reason ??= reader.GetString();
                }
            }
            else if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                string? limit = null, limitValue = null, metric = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("quota_limit"u8))
                    {
                        reader.Read();
                        limit = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    }
                    else if (reader.ValueTextEquals("quota_limit_value"u8))
                    {
                        reader.Read();
                        limitValue = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    }
                    else if (reader.ValueTextEquals("quota_metric"u8))
                    {
                        reader.Read();
                        metric = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                if (limit is not null || metric is not null)
                {
                    hasQuotaFailure = true;
                    Weigh(body, limit ?? metric, metric, limitValue);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static void Weigh(GeminiErrorBody body, string? quotaId, string? metric, string? limitValue)
    {
        bool daily = IsDaily(quotaId) || IsDaily(metric);
        bool zero = limitValue is "0";
        if (daily || zero)
        {
            body.Quota = GeminiQuotaVerdict.Exhausted;
            body.ExhaustedQuota ??= quotaId ?? metric;
        }
        else if (body.Quota == GeminiQuotaVerdict.Unknown)
        {
            body.Quota = GeminiQuotaVerdict.RateLimited;
        }
    }

    private static bool IsDaily(string? quota)
        => quota is not null
        && (quota.Contains("PerDay", StringComparison.OrdinalIgnoreCase)
            || quota.Contains("per_day", StringComparison.OrdinalIgnoreCase)
            || quota.Contains("daily", StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses a protobuf JSON duration such as <c>13s</c> or <c>0.250s</c>.</summary>
    internal static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        if (span.EndsWith("s"))
        {
            span = span[..^1];
        }

        if (double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds)
        {
            duration = TimeSpan.FromSeconds(seconds);
            return true;
        }

        return false;
    }

    private static Exception Refine(Exception exception, GeminiErrorBody? body, string? apiKey)
    {
        if (body is null || exception is not ProviderException provider)
        {
            return exception;
        }

        string code = provider.ProviderErrorCode ?? body.Status ?? "error";
        string said = ProviderErrors.Mask(body.Message, apiKey);
        string head = $"{Provider} returned {(provider.StatusCode is { } s ? ((int)s).ToString(CultureInfo.InvariantCulture) : "an error in the stream")} ({code}): {(said.Length == 0 ? "no details" : said)}";
        string requestRef = provider.RequestId is null ? string.Empty : $" Request id: {provider.RequestId}.";

        if (exception is RateLimitedException limited)
        {
            if (body.Quota == GeminiQuotaVerdict.Exhausted)
            {
                string which = body.ExhaustedQuota is null ? "The quota" : $"The quota '{body.ExhaustedQuota}'";
                return new RateLimitedException(
                    $"{head}. {which} is used up for the day (or is zero on this tier); waiting minutes will not help. Wait for the daily reset, raise the quota or enable billing, or use another model.{requestRef}",
                    Provider,
                    limited.RetryAfter,
                    isQuotaExhausted: true,
                    limited.StatusCode,
                    limited.ProviderErrorCode,
                    limited.RequestId,
                    isRetryable: false);
            }

            if (body.Quota == GeminiQuotaVerdict.RateLimited && limited.IsQuotaExhausted)
            {
                string wait = limited.RetryAfter is { } delay ? $" Wait {delay.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s before trying again, or lower the request rate." : " Wait and try again, or lower the request rate.";
                return new RateLimitedException(
                    $"{head}. A per-minute limit was hit.{wait}{requestRef}",
                    Provider,
                    limited.RetryAfter,
                    isQuotaExhausted: false,
                    limited.StatusCode,
                    limited.ProviderErrorCode,
                    limited.RequestId);
            }

            return exception;
        }

        bool authentication = body.Reason is "API_KEY_INVALID" or "API_KEY_SERVICE_BLOCKED" or "API_KEY_HTTP_REFERRER_BLOCKED" or "API_KEY_IP_ADDRESS_BLOCKED"
            || body.Status is "UNAUTHENTICATED" or "PERMISSION_DENIED";
        if (authentication && provider.FailureKind != LlmFailureKind.Authentication && exception.GetType() == typeof(ProviderException))
        {
            return new ProviderException(
                $"{head}. Check the API key (GeminiClientOptions.ApiKey, GEMINI_API_KEY or GOOGLE_API_KEY) and its permissions for this model.{requestRef}",
                Provider,
                provider.StatusCode,
                LlmFailureKind.Authentication,
                provider.ProviderErrorCode,
                provider.RequestId,
                isRetryable: false);
        }

        return exception;
    }

    private static HttpStatusCode? StatusFromCanonical(string? status) => status switch
    {
        "INVALID_ARGUMENT" or "FAILED_PRECONDITION" or "OUT_OF_RANGE" => HttpStatusCode.BadRequest,
        "UNAUTHENTICATED" => HttpStatusCode.Unauthorized,
        "PERMISSION_DENIED" => HttpStatusCode.Forbidden,
        "NOT_FOUND" => HttpStatusCode.NotFound,
        "RESOURCE_EXHAUSTED" => HttpStatusCode.TooManyRequests,
        "INTERNAL" or "UNKNOWN" or "DATA_LOSS" => HttpStatusCode.InternalServerError,
        "UNAVAILABLE" => HttpStatusCode.ServiceUnavailable,
        "DEADLINE_EXCEEDED" => HttpStatusCode.GatewayTimeout,
        _ => null,
    };
}
