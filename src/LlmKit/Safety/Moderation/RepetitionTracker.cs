namespace LlmKit;

/// <summary>
/// Follows a response as it arrives and measures the longest run of the same line, or of the same word, in a row
/// (the signature of a model stuck in a loop). Fed incrementally, so streams and whole responses measure alike.
/// </summary>
internal sealed class RepetitionTracker
{
    private ulong _wordHash = Fnv;
    private ulong _lastWord;
    private int _wordLength;
    private int _wordRun;
    private ulong _lineHash = Fnv;
    private ulong _lastLine;
    private bool _lineHasText;
    private int _lineRun;

    private const ulong Fnv = 14695981039346656037UL;

    /// <summary>Gets the longest run seen so far.</summary>
    public int LongestRun { get; private set; }

    public void Feed(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                EndWord();
                if (c == '\n')
                {
                    EndLine();
                }
                else
                {
                    _lineHash = (_lineHash ^ ' ') * 1099511628211UL;
                }

                continue;
            }

            _wordHash = (_wordHash ^ c) * 1099511628211UL;
            _wordLength++;
            _lineHash = (_lineHash ^ c) * 1099511628211UL;
            _lineHasText = true;
        }
    }

    /// <summary>Ends the text (the last word and line count).</summary>
    public void Complete()
    {
        EndWord();
        EndLine();
    }

    private void EndWord()
    {
        if (_wordLength == 0)
        {
            return;
        }

        _wordRun = _wordHash == _lastWord ? _wordRun + 1 : 1;
        _lastWord = _wordHash;
        LongestRun = Math.Max(LongestRun, _wordRun);
        _wordHash = Fnv;
        _wordLength = 0;
    }

    private void EndLine()
    {
        if (!_lineHasText)
        {
            return;
        }

        _lineRun = _lineHash == _lastLine ? _lineRun + 1 : 1;
        _lastLine = _lineHash;
        LongestRun = Math.Max(LongestRun, _lineRun);
        _lineHash = Fnv;
        _lineHasText = false;
    }
}
