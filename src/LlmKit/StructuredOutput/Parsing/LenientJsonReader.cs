using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LlmKit;

/// <summary>
/// Reads one JSON value that a model wrote by hand and writes it out as strict JSON: it accepts trailing commas, comments,
/// single-quoted strings, unquoted keys, raw line breaks in strings and Python's <c>True</c>/<c>False</c>/<c>None</c>, and on
/// anything else stops with the exact character position. The strict fast path (System.Text.Json) runs first; this reader
/// only sees what that path rejected.
/// </summary>
internal ref struct LenientJsonReader
{
    private const int MaxDepth = 64;
    private readonly ReadOnlySpan<char> _text;
    private readonly Utf8JsonWriter _writer;
    private int _pos;

    public LenientJsonReader(ReadOnlySpan<char> text, int start, Utf8JsonWriter writer)
    {
        _text = text;
        _pos = start;
        _writer = writer;
    }

    /// <summary>Gets the position after the value (on success) or where reading stopped (on failure).</summary>
    public readonly int Position => _pos;

    /// <summary>Gets why reading stopped, or <see langword="null"/> after a value was read.</summary>
    public string? Error { get; private set; }

    /// <summary>Reads one value; <see langword="false"/> with <see cref="Error"/> and <see cref="Position"/> set when the text is not JSON.</summary>
    public bool ReadValue() => Value(0);

    private bool Value(int depth)
    {
        if (depth > MaxDepth)
        {
            return Fail($"nesting deeper than {MaxDepth} levels");
        }

        SkipSpace();
        if (_pos >= _text.Length)
        {
            return Fail("the text ends where a value should start");
        }

        char c = _text[_pos];
        switch (c)
        {
            case '{':
                return Object(depth);
            case '[':
                return Array(depth);
            case '"' or '\'' or '\u201C':
                if (!String(out string? s))
                {
                    return false;
                }

                _writer.WriteStringValue(s);
                return true;
            default:
                if (c is '-' or '+' or '.' || char.IsAsciiDigit(c))
                {
                    return Number();
                }

                return Literal();
        }
    }

    private bool Object(int depth)
    {
        _pos++;
        _writer.WriteStartObject();
        while (true)
        {
            SkipSpace();
            if (_pos >= _text.Length)
            {
                return Fail("the text ends inside an object; expected a property name or '}'");
            }

            if (_text[_pos] == '}')
            {
                _pos++;
                _writer.WriteEndObject();
                return true;
            }

            string? name;
            char c = _text[_pos];
            if (c is '"' or '\'' or '\u201C')
            {
                if (!String(out name))
                {
                    return false;
                }
            }
            else if (char.IsAsciiLetter(c) || c is '_' or '$')
            {
                int start = _pos;
                while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '$' or '-'))
                {
                    _pos++;
                }

                name = _text[start.._pos].ToString();
            }
            else
            {
                return Fail($"expected a property name or '}}', found {Describe(c)}");
            }

            SkipSpace();
            if (_pos >= _text.Length || _text[_pos] != ':')
            {
                return Fail(_pos >= _text.Length ? "the text ends after a property name; expected ':'" : $"expected ':' after property '{name}', found {Describe(_text[_pos])}");
            }

            _pos++;
            _writer.WritePropertyName(name!);
            if (!Value(depth + 1))
            {
                return false;
            }

            SkipSpace();
            if (_pos >= _text.Length)
            {
                return Fail("the text ends inside an object; expected ',' or '}'");
            }

            if (_text[_pos] == ',')
            {
                _pos++;
            }
            else if (_text[_pos] != '}')
            {
                return Fail($"expected ',' or '}}' after property '{name}', found {Describe(_text[_pos])}");
            }
        }
    }

    private bool Array(int depth)
    {
        _pos++;
        _writer.WriteStartArray();
        while (true)
        {
            SkipSpace();
            if (_pos >= _text.Length)
            {
                return Fail("the text ends inside an array; expected a value or ']'");
            }

            if (_text[_pos] == ']')
            {
                _pos++;
                _writer.WriteEndArray();
                return true;
            }

            if (!Value(depth + 1))
            {
                return false;
            }

            SkipSpace();
            if (_pos >= _text.Length)
            {
                return Fail("the text ends inside an array; expected ',' or ']'");
            }

            if (_text[_pos] == ',')
            {
                _pos++;
            }
            else if (_text[_pos] != ']')
            {
                return Fail($"expected ',' or ']' in an array, found {Describe(_text[_pos])}");
            }
        }
    }

    private bool String(out string? value)
    {
        char open = _text[_pos];
        char close = open == '\u201C' ? '\u201D' : open;
        int start = _pos;
        _pos++;
        StringBuilder? sb = null;
        int runStart = _pos;
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (c == close)
            {
                value = sb is null ? _text[runStart.._pos].ToString() : sb.Append(_text[runStart.._pos]).ToString();
                _pos++;
                return true;
            }

            if (c != '\\')
            {
                _pos++;
                continue;
            }

            sb ??= new StringBuilder();
            sb.Append(_text[runStart.._pos]);
            if (_pos + 1 >= _text.Length)
            {
                break;
            }

            char e = _text[_pos + 1];
            switch (e)
            {
                case '"' or '\\' or '/' or '\'':
                    sb.Append(e);
                    break;
                case 'b':
                    sb.Append('\b');
                    break;
                case 'f':
                    sb.Append('\f');
                    break;
                case 'n':
                    sb.Append('\n');
                    break;
                case 'r':
                    sb.Append('\r');
                    break;
                case 't':
                    sb.Append('\t');
                    break;
                case 'u':
                    if (_pos + 6 > _text.Length || !ushort.TryParse(_text.Slice(_pos + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort code))
                    {
                        return Fail("a \\u escape needs four hex digits", out value);
                    }

                    sb.Append((char)code);
                    _pos += 4;
                    break;
                default:
                    return Fail($"'\\{e}' is not a JSON escape", out value);
            }

            _pos += 2;
            runStart = _pos;
        }

        _pos = start;
        return Fail("a string is not closed before the text ends", out value);
    }

    private bool Number()
    {
        int start = _pos;
        if (_text[_pos] == '+')
        {
            _pos++;
            start = _pos;
        }

        while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] is '-' or '+' or '.' or 'e' or 'E'))
        {
            _pos++;
        }

        var raw = _text[start.._pos];
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || !double.IsFinite(number))
        {
            _pos = start;
            return Fail($"'{raw}' is not a number");
        }

        // Keeps the digits as written (no double rounding) when they are already strict JSON; '.5' and '5.' are rewritten.
        if (raw[0] != '.' && raw[^1] != '.' && !(raw.Length > 1 && raw[0] == '0' && char.IsAsciiDigit(raw[1])) && !raw.StartsWith("-.", StringComparison.Ordinal))
        {
            _writer.WriteRawValue(raw, skipInputValidation: false);
        }
        else
        {
            _writer.WriteNumberValue(number);
        }

        return true;
    }

    private bool Literal()
    {
        int start = _pos;
        while (_pos < _text.Length && char.IsAsciiLetter(_text[_pos]))
        {
            _pos++;
        }

        var word = _text[start.._pos];
        switch (word)
        {
            case "true" or "True":
                _writer.WriteBooleanValue(true);
                return true;
            case "false" or "False":
                _writer.WriteBooleanValue(false);
                return true;
            case "null" or "None":
                _writer.WriteNullValue();
                return true;
            default:
                _pos = start;
                return Fail(word.IsEmpty ? $"expected a value, found {Describe(_text[start])}" : $"'{word}' is not a JSON value");
        }
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (char.IsWhiteSpace(c))
            {
                _pos++;
            }
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '/')
            {
                int end = _text[_pos..].IndexOf('\n');
                _pos = end < 0 ? _text.Length : _pos + end + 1;
            }
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '*')
            {
                int end = _text[(_pos + 2)..].IndexOf("*/", StringComparison.Ordinal);
                if (end < 0)
                {
                    return;
                }

                _pos += end + 4;
            }
            else
            {
                return;
            }
        }
    }

    private bool Fail(string message)
    {
        Error = message;
        return false;
    }

    private bool Fail(string message, out string? value)
    {
        value = null;
        return Fail(message);
    }

    private static string Describe(char c) => char.IsControl(c) ? $"U+{(int)c:X4}" : $"'{c}'";
}
