namespace LlmKit;

/// <summary>
/// Restores surrogates in a stream of text chunks. A chunk that ends in what may be the start of a surrogate
/// (<c>[EMA</c>) keeps that part back until the next chunk completes or refutes it; nothing else is delayed.
/// </summary>
internal sealed class SurrogateStreamRestorer(PiiSurrogateMap map)
{
    private string _pending = string.Empty;

    /// <summary>Takes the next chunk and returns the text that can be released now, restored.</summary>
    public string Push(string chunk)
    {
        string text = _pending.Length == 0 ? chunk : _pending + chunk;
        int hold = PartialStart(text);
        _pending = hold < text.Length ? text[hold..] : string.Empty;
        return hold == 0 ? string.Empty : map.Restore(hold == text.Length ? text : text[..hold]);
    }

    /// <summary>Returns what is held back at the end of the stream, restored.</summary>
    public string Flush()
    {
        string rest = map.Restore(_pending);
        _pending = string.Empty;
        return rest;
    }

    /// <summary>Returns where a possible unfinished surrogate starts at the end of <paramref name="text"/>, or its length.</summary>
    private int PartialStart(string text)
    {
        int max = map.MaxSurrogateLength;
        int open = text.LastIndexOf('[');
        if (open < 0 || text.Length - open >= max)
        {
            return text.Length;
        }

        for (int k = open + 1; k < text.Length; k++)
        {
            char c = text[k];
            if (!(char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                return text.Length;
            }
        }

        return open;
    }
}
