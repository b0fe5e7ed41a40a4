using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace LlmKit;

/// <summary>Reads input values of the shapes templates accept: strings, numbers, booleans, JSON elements, dictionaries and lists.</summary>
internal static class TemplateValues
{
    public static bool TryGetMember(object? value, string name, out object? member)
    {
        switch (value)
        {
            case IReadOnlyDictionary<string, object?> readOnly:
                return readOnly.TryGetValue(name, out member);
            case IDictionary<string, object?> dictionary:
                return dictionary.TryGetValue(name, out member);
            case IDictionary legacy when legacy.Contains(name):
                member = legacy[name];
                return true;
            case JsonElement { ValueKind: JsonValueKind.Object } element when element.TryGetProperty(name, out var property):
                member = property;
                return true;
            default:
                member = null;
                return false;
        }
    }

    public static bool IsList(object? value)
        => value is JsonElement { ValueKind: JsonValueKind.Array } || (value is IEnumerable and not string && !IsObject(value));

    public static bool IsObject(object? value)
        => value is JsonElement { ValueKind: JsonValueKind.Object } or IReadOnlyDictionary<string, object?> or IDictionary<string, object?> or IDictionary;

    public static bool IsTruthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        string s => s.Length > 0,
        JsonElement e => e.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined or JsonValueKind.False => false,
            JsonValueKind.String => !e.ValueEquals(ReadOnlySpan<char>.Empty),
            JsonValueKind.Array => e.GetArrayLength() > 0,
            _ => true,
        },
        ICollection c => c.Count > 0,
        IEnumerable enumerable => enumerable.GetEnumerator().MoveNext(),
        _ => true,
    };

    /// <summary>Appends a scalar value as text; returns <see langword="false"/> for a list or object, which cannot be written as text.</summary>
    /// <remarks>Strings, booleans and numbers are copied or formatted straight into the buffer, without intermediate strings.</remarks>
    public static bool TryAppend(RenderBuffer buffer, object? value)
    {
        switch (value)
        {
            case null:
                return true;
            case string s:
                buffer.Append(s);
                return true;
            case bool b:
                buffer.Append(b ? "true" : "false");
                return true;
            case int i:
                buffer.AppendFormatted(i);
                return true;
            case long l:
                buffer.AppendFormatted(l);
                return true;
            case double d:
                buffer.AppendFormatted(d);
                return true;
            case decimal m:
                buffer.AppendFormatted(m);
                return true;
            case JsonElement e:
                switch (e.ValueKind)
                {
                    case JsonValueKind.String:
                        // The raw value is the quoted JSON string; without escapes its content is the text itself.
                        var raw = JsonMarshal.GetRawUtf8Value(e);
                        var content = raw[1..^1];
                        if (content.IndexOf((byte)'\\') < 0)
                        {
                            buffer.AppendUtf8(content);
                        }
                        else
                        {
                            buffer.Append(e.GetString());
                        }

                        return true;
                    case JsonValueKind.Null:
                    case JsonValueKind.Undefined:
                        return true;
                    default:
                        // Numbers and booleans as written; objects and arrays as their JSON text (what GetRawText returns).
                        buffer.AppendUtf8(JsonMarshal.GetRawUtf8Value(e));
                        return true;
                }

            case ISpanFormattable formattable when value is not IEnumerable:
                buffer.AppendFormatted(formattable);
                return true;
            case IFormattable formattable when value is not IEnumerable:
                buffer.Append(formattable.ToString(null, CultureInfo.InvariantCulture));
                return true;
            case IEnumerable:
                return false;
            default:
                buffer.Append(value.ToString());
                return true;
        }
    }

    /// <summary>Returns the value as the text an allowed-values list compares with, or <see langword="null"/> for lists and objects.</summary>
    public static string? AsText(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        JsonElement { ValueKind: JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } e => e.GetRawText(),
        JsonElement => null,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable => null,
        _ => value.ToString(),
    };

    public static bool Matches(TemplateInputType type, object? value) => type switch
    {
        TemplateInputType.String => value is string or char or JsonElement { ValueKind: JsonValueKind.String },
        TemplateInputType.Integer => value switch
        {
            sbyte or byte or short or ushort or int or uint or long or ulong => true,
            double d => double.IsFinite(d) && Math.Floor(d) == d,
            float f => float.IsFinite(f) && MathF.Floor(f) == f,
            decimal m => decimal.Floor(m) == m,
            JsonElement { ValueKind: JsonValueKind.Number } e => e.TryGetInt64(out _) || (e.TryGetDouble(out double x) && Math.Floor(x) == x),
            _ => false,
        },
        TemplateInputType.Number => value is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal or JsonElement { ValueKind: JsonValueKind.Number },
        TemplateInputType.Boolean => value is bool or JsonElement { ValueKind: JsonValueKind.True or JsonValueKind.False },
        TemplateInputType.Array => IsList(value),
        TemplateInputType.Object => IsObject(value),
        TemplateInputType.Thread => value is IEnumerable<Microsoft.Extensions.AI.ChatMessage>,
        TemplateInputType.Image => value is Microsoft.Extensions.AI.DataContent or Microsoft.Extensions.AI.UriContent or Uri
            || (value is string s && (s.StartsWith("data:", StringComparison.Ordinal) || s.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || s.StartsWith("http://", StringComparison.OrdinalIgnoreCase))),
        _ => false,
    };

    /// <summary>Returns an image input as a content part (checked by <see cref="Matches"/> first).</summary>
    public static Microsoft.Extensions.AI.AIContent ToImage(object value) => value switch
    {
        Microsoft.Extensions.AI.AIContent content => content,
        Uri uri => new Microsoft.Extensions.AI.UriContent(uri, MediaTypeOf(uri.AbsolutePath)),
        string s when s.StartsWith("data:", StringComparison.Ordinal) => new Microsoft.Extensions.AI.DataContent(s),
        string s => new Microsoft.Extensions.AI.UriContent(new Uri(s), MediaTypeOf(new Uri(s).AbsolutePath)),
        _ => throw new ArgumentException($"An image input must be DataContent, UriContent, Uri or a URL string, not {Describe(value)}.", nameof(value)),
    };

    private static string MediaTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".gif" => "image/gif",
        ".webp" => "image/webp",
        _ => "image/jpeg",
    };

    public static string Describe(object? value) => value switch
    {
        null => "null",
        string => "a string",
        bool => "a boolean",
        JsonElement e => e.ValueKind switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            _ => "null",
        },
        sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal => "a number",
        _ when IsObject(value) => "an object",
        _ when IsList(value) => "an array",
        _ => $"a {value.GetType().Name}",
    };
}
