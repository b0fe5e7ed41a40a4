using System.Net;
using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>Small pieces of Anthropic's wire format shared by the request writer and the parsers.</summary>
internal static class AnthropicWire
{
    public const string ProviderName = "anthropic";

    /// <summary>Response headers that carry the request id, most specific first.</summary>
    public static readonly string[] RequestIdHeaders = ["request-id", "x-request-id"];

    // Interned once so that parsing a known stop reason allocates nothing.
    private const string EndTurn = "end_turn";
    private const string StopSequenceReason = "stop_sequence";
    private const string MaxTokens = "max_tokens";
    private const string ToolUse = "tool_use";
    private const string Refusal = "refusal";
    private const string PauseTurn = "pause_turn";
    private const string ContextWindowExceeded = "model_context_window_exceeded";

    /// <summary>Reads a stop reason string, reusing the interned instance for the known values.</summary>
    public static string? ReadStopReason(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return null;
        }

        return reader.ValueTextEquals("end_turn"u8) ? EndTurn
            : reader.ValueTextEquals("tool_use"u8) ? ToolUse
            : reader.ValueTextEquals("max_tokens"u8) ? MaxTokens
            : reader.ValueTextEquals("stop_sequence"u8) ? StopSequenceReason
            : reader.ValueTextEquals("refusal"u8) ? Refusal
            : reader.ValueTextEquals("pause_turn"u8) ? PauseTurn
            : reader.ValueTextEquals("model_context_window_exceeded"u8) ? ContextWindowExceeded
            : reader.GetString();
    }

    /// <summary>
    /// Maps a stop reason: <c>end_turn</c> and <c>stop_sequence</c> to Stop, <c>max_tokens</c> and
    /// <c>model_context_window_exceeded</c> to Length, <c>tool_use</c> to ToolCalls, <c>refusal</c> to
    /// ContentFilter; <c>pause_turn</c> and values this version does not know to Stop (the raw value is kept
    /// beside it); <see langword="null"/> stays <see langword="null"/>.
    /// </summary>
    public static ChatFinishReason? MapStopReason(string? stopReason) => stopReason switch
    {
        null => null,
        EndTurn or StopSequenceReason => ChatFinishReason.Stop,
        MaxTokens or ContextWindowExceeded => ChatFinishReason.Length,
        ToolUse => ChatFinishReason.ToolCalls,
        Refusal => ChatFinishReason.ContentFilter,
        _ => ChatFinishReason.Stop,
    };

    /// <summary>
    /// The HTTP status Anthropic documents for an error type, used to classify errors that arrive inside a
    /// stream (where the HTTP status was 200).
    /// </summary>
    public static HttpStatusCode? StatusForErrorType(string? type) => type switch
    {
        "invalid_request_error" => HttpStatusCode.BadRequest,
        "authentication_error" => HttpStatusCode.Unauthorized,
        "billing_error" => HttpStatusCode.PaymentRequired,
        "permission_error" => HttpStatusCode.Forbidden,
        "not_found_error" => HttpStatusCode.NotFound,
        "request_too_large" => HttpStatusCode.RequestEntityTooLarge,
        "rate_limit_error" => HttpStatusCode.TooManyRequests,
        "api_error" => HttpStatusCode.InternalServerError,
        "timeout_error" => HttpStatusCode.GatewayTimeout,
        "overloaded_error" => (HttpStatusCode)529,
        _ => null,
    };

    /// <summary>
    /// Parses an error body <c>{"type":"error","error":{"type":"...","message":"..."}}</c>. Returns
    /// <see langword="null"/> for JSON of another shape; throws <see cref="JsonException"/> for text that is not JSON.
    /// </summary>
    public static ProviderErrorInfo? ParseError(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        var reader = new Utf8JsonReader(body.Span);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            // A bare JSON value (a string, a number) is not an error object.
            return null;
        }

        ProviderErrorInfo? info = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isError = reader.ValueTextEquals("error"u8);
            reader.Read();
            if (isError && reader.TokenType == JsonTokenType.StartObject)
            {
                info = ReadErrorObject(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return info;
    }

    /// <summary>Reads the inner <c>error</c> object (the reader is on its start) and normalises the code.</summary>
    public static ProviderErrorInfo ReadErrorObject(ref Utf8JsonReader reader)
    {
        string? type = null;
        string? message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new ProviderErrorInfo(message, NormaliseCode(type, message), type);
    }

    /// <summary>
    /// Anthropic reports every invalid request as <c>invalid_request_error</c>; the context-length and
    /// content-policy cases are told apart by their message. Those two get the codes the shared error mapper
    /// classifies (<c>context_length_exceeded</c>, <c>content_policy_violation</c>); every other error keeps
    /// Anthropic's error type as its code.
    /// </summary>
    private static string? NormaliseCode(string? type, string? message)
    {
        if (message is null)
        {
            return type;
        }

        if (message.Contains("prompt is too long", StringComparison.OrdinalIgnoreCase)
            || message.Contains("exceed context limit", StringComparison.OrdinalIgnoreCase)
            || message.Contains("context window", StringComparison.OrdinalIgnoreCase))
        {
            return "context_length_exceeded";
        }

        if (message.Contains("content filtering policy", StringComparison.OrdinalIgnoreCase)
            || message.Contains("usage policy", StringComparison.OrdinalIgnoreCase))
        {
            return "content_policy_violation";
        }

        return type;
    }
}
