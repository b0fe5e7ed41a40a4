using System.Text;

namespace LlmKit;

/// <summary>
/// The per-request mapping between anonymised values and their numbered surrogates (<c>[EMAIL_1]</c>,
/// <c>[PHONE_2]</c>). The same value of the same type gets the same surrogate within a request. The input guard
/// fills it; the output guard restores the originals in the response. Thread-safe. Never prints its values.
/// </summary>
public sealed class PiiSurrogateMap
{
    /// <summary>The key of the map in <c>ChatOptions.AdditionalProperties</c> between the guard stages: <c>llmkit.safety.surrogates</c>.</summary>
    public const string AdditionalPropertiesKey = "llmkit.safety.surrogates";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _surrogateByValue = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _valueBySurrogate = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>Initializes a new, empty instance.</summary>
    public PiiSurrogateMap() => _lookup = _valueBySurrogate.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Gets the number of values mapped.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _valueBySurrogate.Count;
            }
        }
    }

    /// <summary>Gets the length of the longest surrogate, in characters (0 when empty).</summary>
    internal int MaxSurrogateLength { get; private set; }

    /// <summary>Returns the surrogate of a value, numbering a new one (<c>[TYPE_n]</c>, from 1 per type) the first time.</summary>
    /// <param name="type">The finding type, such as <c>EMAIL</c>.</param>
    /// <param name="value">The original value.</param>
    /// <returns>The surrogate.</returns>
    /// <exception cref="ArgumentException">An argument is null or empty.</exception>
    public string GetOrAddSurrogate(string type, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentException.ThrowIfNullOrEmpty(value);
        string key = string.Concat(type, "\0", value);
        lock (_lock)
        {
            if (_surrogateByValue.TryGetValue(key, out string? existing))
            {
                return existing;
            }

            int n = _counters.TryGetValue(type, out int c) ? c + 1 : 1;
            _counters[type] = n;
            string surrogate = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{type}_{n}]");
            _surrogateByValue[key] = surrogate;
            _valueBySurrogate[surrogate] = value;
            MaxSurrogateLength = Math.Max(MaxSurrogateLength, surrogate.Length);
            return surrogate;
        }
    }

    /// <summary>Returns the original value of a surrogate.</summary>
    /// <param name="surrogate">The surrogate, brackets included.</param>
    /// <param name="value">The original, when found.</param>
    /// <returns><see langword="true"/> when the surrogate is in the map.</returns>
    public bool TryGetOriginal(ReadOnlySpan<char> surrogate, out string? value)
    {
        lock (_lock)
        {
            return _lookup.TryGetValue(surrogate, out value);
        }
    }

    /// <summary>Replaces every surrogate of this map in <paramref name="text"/> with its original value. Unknown bracketed text is left as it is.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The restored text; <paramref name="text"/> itself when it holds no surrogate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public string Restore(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int first = text.IndexOf('[', StringComparison.Ordinal);
        if (first < 0 || Count == 0)
        {
            return text;
        }

        StringBuilder? sb = null;
        int copied = 0;
        int i = first;
        int max = MaxSurrogateLength;
        while (i >= 0 && i < text.Length)
        {
            int close = text.AsSpan(i, Math.Min(max, text.Length - i)).IndexOf(']');
            if (close > 0 && TryGetOriginal(text.AsSpan(i, close + 1), out string? original))
            {
                sb ??= new StringBuilder(text.Length + 32);
                sb.Append(text, copied, i - copied).Append(original);
                copied = i + close + 1;
                i = copied;
            }
            else
            {
                i++;
            }

            int next = text.IndexOf('[', i);
            i = next;
        }

        if (sb is null)
        {
            return text;
        }

        sb.Append(text, copied, text.Length - copied);
        return sb.ToString();
    }

    /// <summary>Returns a description with the number of values, never the values.</summary>
    /// <returns>For example <c>PiiSurrogateMap (3 values)</c>.</returns>
    public override string ToString() => $"PiiSurrogateMap ({Count} values)";
}
