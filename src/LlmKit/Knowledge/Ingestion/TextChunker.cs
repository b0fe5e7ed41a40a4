namespace LlmKit;

/// <summary>
/// Cuts text into chunks of at most a given number of tokens (exact counts with the tokenizer), overlapping by about a
/// given number of tokens. Chunks end at sentence or paragraph boundaries; a sentence longer than a chunk is cut
/// between words, a word longer than a chunk between characters. Spans marked atomic (code blocks) stay whole when they
/// fit. Chunks are substrings of the text: together they cover the whole section, and their offsets are exact.
/// </summary>
internal sealed class TextChunker
{
    private readonly ITokenizer _tokenizer;
    private readonly int _maxTokens;
    private readonly int _overlapTokens;

    public TextChunker(ITokenizer tokenizer, int maxTokens, int overlapTokens)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(overlapTokens);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(overlapTokens, maxTokens);
        _tokenizer = tokenizer;
        _maxTokens = maxTokens;
        _overlapTokens = overlapTokens;
    }

    /// <summary>Chunks <paramref name="text"/>[start, start + length); returns (start, length, tokens) in text offsets.</summary>
    public List<(int Start, int Length, int Tokens)> Chunk(string text, int start, int length, IReadOnlyList<(int Start, int Length)>? atomicSpans = null)
    {
        var pieces = new List<(int Start, int Length, int Tokens)>();
        foreach (var (pieceStart, pieceLength) in Sentences(text, start, length, atomicSpans ?? []))
        {
            AddPiece(text, pieceStart, pieceLength, pieces);
        }

        var chunks = new List<(int Start, int Length, int Tokens)>();
        int first = 0;
        while (first < pieces.Count)
        {
            int last = first;
            int sum = pieces[first].Tokens;
            while (last + 1 < pieces.Count && sum + pieces[last + 1].Tokens <= _maxTokens)
            {
                last++;
                sum += pieces[last].Tokens;
            }

            // Piece counts add up closely but not exactly (merges across a boundary), so the exact count decides.
            int chunkStart = pieces[first].Start;
            int tokens = _tokenizer.CountTokens(text.AsSpan(chunkStart, pieces[last].Start + pieces[last].Length - chunkStart));
            while (tokens > _maxTokens && last > first)
            {
                last--;
                tokens = _tokenizer.CountTokens(text.AsSpan(chunkStart, pieces[last].Start + pieces[last].Length - chunkStart));
            }

            int chunkEnd = pieces[last].Start + pieces[last].Length;
            chunks.Add((chunkStart, chunkEnd - chunkStart, tokens));
            if (last + 1 >= pieces.Count)
            {
                break;
            }

            // The next chunk starts with the last pieces of this one, up to the overlap, but always moves forward.
            int next = last + 1;
            int overlap = 0;
            while (next - 1 > first && overlap + pieces[next - 1].Tokens <= _overlapTokens)
            {
                next--;
                overlap += pieces[next].Tokens;
            }

            first = next;
        }

        return chunks;
    }

    private void AddPiece(string text, int start, int length, List<(int, int, int)> pieces)
    {
        if (length == 0)
        {
            return;
        }

        int tokens = _tokenizer.CountTokens(text.AsSpan(start, length));
        if (tokens <= _maxTokens)
        {
            pieces.Add((start, length, tokens));
            return;
        }

        // Too long for one chunk: cut at lines, then at words, then wherever the tokenizer's prefix ends.
        var parts = Split(text, start, length, c => c == '\n');
        if (parts.Count <= 1)
        {
            parts = Split(text, start, length, char.IsWhiteSpace);
        }

        if (parts.Count > 1)
        {
            foreach (var (partStart, partLength) in parts)
            {
                AddPiece(text, partStart, partLength, pieces);
            }

            return;
        }

        int offset = start;
        int end = start + length;
        while (offset < end)
        {
            int take = Math.Max(1, _tokenizer.Truncate(text.Substring(offset, end - offset), _maxTokens).Length);
            if (offset + take < end && char.IsHighSurrogate(text[offset + take - 1]))
            {
                take = take > 1 ? take - 1 : take + 1;
            }

            pieces.Add((offset, take, _tokenizer.CountTokens(text.AsSpan(offset, take))));
            offset += take;
        }
    }

    /// <summary>Splits after each run of separator characters; the separators stay with the part before them.</summary>
    private static List<(int, int)> Split(string text, int start, int length, Func<char, bool> isSeparator)
    {
        var parts = new List<(int, int)>();
        int partStart = start;
        int end = start + length;
        for (int i = start; i < end; i++)
        {
            if (isSeparator(text[i]) && (i + 1 == end || !isSeparator(text[i + 1])))
            {
                parts.Add((partStart, i + 1 - partStart));
                partStart = i + 1;
            }
        }

        if (partStart < end)
        {
            parts.Add((partStart, end - partStart));
        }

        return parts;
    }

    /// <summary>
    /// Sentences and paragraphs: a piece ends after the white space following '.', '!', '?' (with closing quotes or
    /// brackets) or after a line break. Atomic spans are single pieces.
    /// </summary>
    private static IEnumerable<(int Start, int Length)> Sentences(string text, int start, int length, IReadOnlyList<(int Start, int Length)> atomicSpans)
    {
        int end = start + length;
        int pieceStart = start;
        int atomicIndex = 0;
        var atomic = atomicSpans.Where(s => s.Start >= start && s.Start + s.Length <= end).OrderBy(s => s.Start).ToList();
        int i = start;
        while (i < end)
        {
            while (atomicIndex < atomic.Count && atomic[atomicIndex].Start < i)
            {
                atomicIndex++;
            }

            if (atomicIndex < atomic.Count && i == atomic[atomicIndex].Start)
            {
                if (i > pieceStart)
                {
                    yield return (pieceStart, i - pieceStart);
                }

                int atomicEnd = atomic[atomicIndex].Start + atomic[atomicIndex].Length;
                while (atomicEnd < end && char.IsWhiteSpace(text[atomicEnd]))
                {
                    atomicEnd++;
                }

                yield return (i, atomicEnd - i);
                pieceStart = i = atomicEnd;
                atomicIndex++;
                continue;
            }

            char c = text[i];
            bool boundary = c == '\n' || (char.IsWhiteSpace(c) && EndsSentence(text, pieceStart, i));
            i++;
            if (boundary)
            {
                while (i < end && char.IsWhiteSpace(text[i]) && !(atomicIndex < atomic.Count && i == atomic[atomicIndex].Start))
                {
                    i++;
                }

                yield return (pieceStart, i - pieceStart);
                pieceStart = i;
            }
        }

        if (end > pieceStart)
        {
            yield return (pieceStart, end - pieceStart);
        }
    }

    private static bool EndsSentence(string text, int pieceStart, int whitespace)
    {
        int j = whitespace - 1;
        while (j >= pieceStart && text[j] is '"' or '\'' or ')' or ']' or '\u201D' or '\u2019')
        {
            j--;
        }

        return j >= pieceStart && text[j] is '.' or '!' or '?' or '\u3002';
    }
}
