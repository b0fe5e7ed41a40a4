using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace LlmKit.Http;

/// <summary>
/// Builds the errors for bodies that break a provider's wire format (<see cref="ProviderResponseFormatException"/>) and
/// for streams that end without their end marker, and reads token counts strictly.
/// </summary>
/// <remarks>
/// Parsers deep inside a body throw a <em>pending</em> exception (<see cref="Field"/>: field and problem only, no
/// provider); the caller, which holds the body and the status, completes it with <see cref="Complete"/>.
/// </remarks>
internal static class WireFormat
{
    /// <summary>The most characters of a body a message quotes.</summary>
    public const int ExcerptChars = 200;

    /// <summary>The longest line or event a stream may send (4 MiB); longer is an error, never an unbounded buffer.</summary>
    public const int MaxEventBytes = 4 * 1024 * 1024;

    /// <summary>The largest token count believed (one billion): more is a broken server, not a real call.</summary>
    public const long MaxTokenCount = 1_000_000_000;

    /// <summary>A pending error for a field, completed by the caller with provider, status and body.</summary>
    public static ProviderResponseFormatException Field(string? field, string problem, Exception? inner = null)
        => new(problem, provider: null, statusCode: null, field, bodyExcerpt: null, innerException: inner);

    /// <summary>Completes a pending error (one without a provider) with the provider, the status and the body; a complete one is returned as is.</summary>
    public static ProviderResponseFormatException Complete(ProviderResponseFormatException pending, string provider, HttpStatusCode? status, ReadOnlySpan<byte> body, string? apiKey)
        => pending.Provider is not null ? pending : Create(provider, status, pending.Field, pending.Message, body, apiKey, pending.InnerException, pending.ProviderErrorCode);

    /// <summary>The error for a body that breaks the wire format, naming provider, status, field and the start of the body (secrets masked).</summary>
    public static ProviderResponseFormatException Create(
        string provider,
        HttpStatusCode? status,
        string? field,
        string problem,
        ReadOnlySpan<byte> body,
        string? apiKey,
        Exception? inner = null,
        string? providerErrorCode = null)
    {
        string excerpt = Excerpt(body, apiKey);
        string statusText = status is { } s ? ((int)s).ToString(CultureInfo.InvariantCulture) : "a success";
        string where = field is null ? string.Empty : $" at '{field}'";
        string message = string.Concat(
            provider,
            " answered ",
            statusText,
            " with a body that breaks its wire format",
            where,
            ": ",
            ProviderErrors.Mask(problem, apiKey).TrimEnd('.'),
            ". Body starts with: \"",
            excerpt,
            "\". LlmKit treats this as retryable (another attempt or deployment may answer properly); if it persists, check that the base address points at the right API and no proxy rewrites the answers.");
        return new ProviderResponseFormatException(message, provider, status, field, excerpt, providerErrorCode, isRetryable: true, innerException: inner);
    }

    /// <summary>
    /// The error for a stream that ended without its end marker: a <see cref="ProviderException"/> of kind
    /// <see cref="LlmFailureKind.Network"/>, retryable, saying how many updates had reached the caller.
    /// </summary>
    public static ProviderException StreamCut(string provider, string endMarker, int updates, string? requestId = null, Exception? inner = null)
    {
        string after = updates == 0
            ? "before any update reached the caller"
            : string.Create(CultureInfo.InvariantCulture, $"after {updates} update{(updates == 1 ? string.Empty : "s")} had reached the caller, so the answer is incomplete");
        return new ProviderException(
            $"The {provider} stream was cut {after}: it ended without its end marker ({endMarker}). The connection was probably closed or reset; try again.",
            provider,
            statusCode: null,
            LlmFailureKind.Network,
            requestId: requestId,
            isRetryable: true,
            innerException: inner);
    }

    /// <summary>The first <see cref="ExcerptChars"/> characters of a body, with secrets masked and control characters shown as spaces.</summary>
    public static string Excerpt(ReadOnlySpan<byte> body, string? apiKey)
    {
        if (body.IsEmpty)
        {
            return string.Empty;
        }

        // Decode well past the excerpt so a key that straddles its end is masked whole before the cut.
        var head = body[..Math.Min(body.Length, 1024)];
        string text = Encoding.UTF8.GetString(head);
        text = ProviderErrors.Mask(text, apiKey);
        if (text.Length > ExcerptChars)
        {
            text = text[..ExcerptChars] + "...";
        }

        return string.Create(text.Length, text, static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                char c = source[i];
                span[i] = char.IsControl(c) ? ' ' : c;
            }
        });
    }

    /// <summary>
    /// Reads a token count (the reader is on its value): <see langword="null"/> for JSON null, else a non-negative
    /// integer up to <see cref="MaxTokenCount"/>; anything else (a string, a fraction, a negative or absurd number)
    /// throws a pending <see cref="ProviderResponseFormatException"/> naming <paramref name="field"/>.
    /// </summary>
    public static long? ReadCount(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value) && value is >= 0 and <= MaxTokenCount)
        {
            return value;
        }

        throw BadCount(ref reader, field);
    }

    private static ProviderResponseFormatException BadCount(ref Utf8JsonReader reader, string field)
    {
        string shown;
        if (reader.TokenType is JsonTokenType.Number or JsonTokenType.String && !reader.HasValueSequence && reader.ValueSpan.Length <= 40)
        {
            shown = reader.TokenType == JsonTokenType.String ? $"the string \"{Encoding.UTF8.GetString(reader.ValueSpan)}\"" : Encoding.UTF8.GetString(reader.ValueSpan);
        }
        else
        {
            shown = reader.TokenType.ToString();
        }

        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
        }

        return Field(field, $"a token count must be a non-negative integer up to {MaxTokenCount:#,0}, not {shown}");
    }
}
