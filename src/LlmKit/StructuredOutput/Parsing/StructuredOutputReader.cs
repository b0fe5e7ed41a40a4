using System.Buffers;
using System.Text;
using System.Text.Json;

namespace LlmKit;

/// <summary>
/// Finds the JSON value a model's answer holds: inside a code fence, alone, or among prose and other JSON values; reads it
/// strictly first and leniently (near-JSON) second; and picks the first value the schema accepts. When none does, reports
/// the schema errors of the closest value, or where the text could not be read.
/// </summary>
internal static class StructuredOutputReader
{
    /// <summary>Caps the places tried in a long answer, so prose full of brackets costs a bounded amount.</summary>
    private const int MaxCandidates = 32;

    // Strict JSON only: a document read with trailing commas or comments keeps them in its raw text, which the
    // serializer then rejects; near-JSON goes through the lenient reader, which writes strict JSON.
    private static readonly JsonReaderOptions StrictFirst = new() { AllowMultipleValues = true };

    /// <summary>The outcome: the accepted value (owned by <see cref="Document"/>) or every error.</summary>
    internal readonly record struct Result(JsonDocument? Document, IReadOnlyList<StructuredOutputError> Errors)
    {
        public bool Success => Document is not null;
    }

    public static Result Read(string text, StructuredOutputSchema? schema)
    {
        ArgumentNullException.ThrowIfNull(text);
        List<StructuredOutputError>? best = null;
        int bestLength = -1;
        StructuredOutputError? firstReadError = null;
        int readErrorStart = 0;
        int tried = 0;

        // Fenced blocks first: a model that fences its JSON means that block.
        foreach (var (start, end) in Fences(text))
        {
            if (TryCandidate(text, start, end, schema, ref best, ref bestLength, ref firstReadError, ref readErrorStart, out var accepted, out _))
            {
                return new Result(accepted, []);
            }

            tried++;
        }

        int i = 0;
        while (i < text.Length && tried < MaxCandidates)
        {
            int next = text.AsSpan(i).IndexOfAny('{', '[');
            if (next < 0)
            {
                break;
            }

            int start = i + next;
            tried++;
            if (TryCandidate(text, start, text.Length, schema, ref best, ref bestLength, ref firstReadError, ref readErrorStart, out var accepted, out int valueEnd))
            {
                return new Result(accepted, []);
            }

            // After a value that was read (but rejected), look past it; after unreadable text, at the next bracket.
            i = valueEnd > start ? valueEnd : start + 1;
        }

        if (tried == 0)
        {
            // A bare scalar answer ("42", "\"red\"") for a schema that wants one.
            int s = 0;
            while (s < text.Length && char.IsWhiteSpace(text[s]))
            {
                s++;
            }

            if (s < text.Length && TryCandidate(text, s, text.Length, schema, ref best, ref bestLength, ref firstReadError, ref readErrorStart, out var scalar, out _))
            {
                return new Result(scalar, []);
            }

            if (best is null)
            {
                return new Result(null, [At(text, s, "the answer holds no JSON value (no object or array, and the text is not a JSON value)")]);
            }
        }

        if (best is not null)
        {
            return new Result(null, best);
        }

        return new Result(null, [firstReadError ?? new StructuredOutputError("$", "the answer holds no JSON value") { Position = 0, Line = 1, Column = 1 }]);
    }

    private static bool TryCandidate(
        string text,
        int start,
        int end,
        StructuredOutputSchema? schema,
        ref List<StructuredOutputError>? best,
        ref int bestLength,
        ref StructuredOutputError? firstReadError,
        ref int firstReadErrorStart,
        out JsonDocument? accepted,
        out int valueEnd)
    {
        accepted = null;
        var document = ReadValue(text, start, end, out valueEnd, out var readError);
        if (document is null)
        {
            // Reports the unreadable text that got furthest: a bracket in prose ("[1]") stops at once, the broken answer later.
            if (firstReadError is null || readError!.Position - start > firstReadError.Position - firstReadErrorStart)
            {
                firstReadError = readError;
                firstReadErrorStart = start;
            }

            return false;
        }

        if (schema is null)
        {
            accepted = document;
            return true;
        }

        var root = document.RootElement;
        if (schema.IsValid(root))
        {
            accepted = document;
            return true;
        }

        // Keeps the errors of the fullest rejected value: prose rarely holds a bigger JSON value than the answer.
        int length = valueEnd - start;
        if (length > bestLength)
        {
            best = [.. schema.Validate(root)];
            bestLength = length;
        }

        document.Dispose();
        return false;
    }

    /// <summary>Reads one value starting at <paramref name="start"/>: strictly, then leniently.</summary>
    internal static JsonDocument? ReadValue(string text, int start, int end, out int valueEnd, out StructuredOutputError? error)
    {
        error = null;
        var span = text.AsSpan(start, end - start);
        int maxBytes = Encoding.UTF8.GetMaxByteCount(span.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            int length = Encoding.UTF8.GetBytes(span, rented);
            var reader = new Utf8JsonReader(rented.AsSpan(0, length), StrictFirst);
            try
            {
                var document = JsonDocument.ParseValue(ref reader);
                valueEnd = start + CharCount(rented.AsSpan(0, (int)reader.BytesConsumed));
                return document;
            }
            catch (JsonException)
            {
                // Near-JSON: the lenient reader below says exactly where it stops, in characters of the original text.
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, span.Length));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var lenient = new LenientJsonReader(text.AsSpan(0, end), start, writer);
            if (!lenient.ReadValue())
            {
                valueEnd = lenient.Position;
                error = At(text, lenient.Position, lenient.Error!);
                return null;
            }

            valueEnd = lenient.Position;
        }

        return JsonDocument.Parse(buffer.WrittenMemory);
    }

    internal static StructuredOutputError At(string text, int position, string message)
    {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < position && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return new StructuredOutputError("$", message) { Position = position, Line = line, Column = position - lineStart + 1 };
    }

    private static int CharCount(ReadOnlySpan<byte> utf8)
    {
        // ASCII answers (the common case) map one byte to one character.
        return System.Text.Ascii.IsValid(utf8) ? utf8.Length : Encoding.UTF8.GetCharCount(utf8);
    }

    /// <summary>The content ranges of the Markdown code fences in the text (any info string, such as <c>json</c>).</summary>
    private static IEnumerable<(int Start, int End)> Fences(string text)
    {
        int i = 0;
        while (i < text.Length)
        {
            int open = text.IndexOf("```", i, StringComparison.Ordinal);
            if (open < 0)
            {
                yield break;
            }

            int lineEnd = text.IndexOf('\n', open + 3);
            if (lineEnd < 0)
            {
                yield break;
            }

            int close = text.IndexOf("```", lineEnd + 1, StringComparison.Ordinal);
            if (close < 0)
            {
                yield break;
            }

            yield return (lineEnd + 1, close);
            i = close + 3;
        }
    }
}
