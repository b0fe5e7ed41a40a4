namespace LlmKit;

/// <summary>
/// The pre-tokenizer of <c>o200k_base</c>, equivalent to tiktoken's pattern
/// <c>[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?</c>
/// <c>|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?</c>
/// <c>|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>
/// matched with leftmost-first (backtracking) semantics, as the Rust <c>fancy-regex</c> crate does.
/// </summary>
/// <remarks>
/// Call the first class U (upper, title, modifier and other letters, marks) and the second W (lower, modifier and
/// other letters, marks). U and W overlap (Lm, Lo, M), so <c>U*W+</c> backtracks: it ends after the longest W run
/// when the character after the maximal U run is in W, and otherwise after the last character of the U run that
/// is also in W.
/// </remarks>
internal readonly struct O200kPreTokenizer : IPreTokenizer
{
    private const int Upper = TokenCharClass.Upper;
    private const int Lower = TokenCharClass.Lower;

    /// <inheritdoc/>
    public static int NextPieceEnd(ReadOnlySpan<byte> utf8, int start)
    {
        int flags = TokenCharClass.Get(utf8, start, out int width);
        int next = start + width;
        bool prefix = (flags & (TokenCharClass.Letter | TokenCharClass.Number | TokenCharClass.Newline)) == 0 && next < utf8.Length;
        int end;

        // [^\r\n\p{L}\p{N}]?U*W+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
        if (prefix && (end = UpperThenLower(utf8, next)) >= 0)
        {
            return end + PreTokenizerRules.Contraction(utf8, end);
        }

        if ((flags & (Upper | Lower)) != 0 && (end = UpperThenLower(utf8, start)) >= 0)
        {
            return end + PreTokenizerRules.Contraction(utf8, end);
        }

        // [^\r\n\p{L}\p{N}]?U+W*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
        if (prefix && (TokenCharClass.Get(utf8, next, out _) & Upper) != 0)
        {
            end = PreTokenizerRules.SkipAny(utf8, PreTokenizerRules.SkipAny(utf8, next, Upper), Lower);
            return end + PreTokenizerRules.Contraction(utf8, end);
        }

        if ((flags & Upper) != 0)
        {
            end = PreTokenizerRules.SkipAny(utf8, PreTokenizerRules.SkipAny(utf8, next, Upper), Lower);
            return end + PreTokenizerRules.Contraction(utf8, end);
        }

        // \p{N}{1,3}
        if ((flags & TokenCharClass.Number) != 0)
        {
            for (int i = 1; i < 3 && next < utf8.Length; i++)
            {
                if ((TokenCharClass.Get(utf8, next, out int nextWidth) & TokenCharClass.Number) == 0)
                {
                    break;
                }

                next += nextWidth;
            }

            return next;
        }

        //  ?[^\s\p{L}\p{N}]+[\r\n/]*
        if (utf8[start] == ' ' && next < utf8.Length && PreTokenizerRules.IsOther(TokenCharClass.Get(utf8, next, out int otherWidth)))
        {
            return PreTokenizerRules.SkipNewlines(utf8, PreTokenizerRules.SkipOther(utf8, next + otherWidth), slash: true);
        }

        if (PreTokenizerRules.IsOther(flags))
        {
            return PreTokenizerRules.SkipNewlines(utf8, PreTokenizerRules.SkipOther(utf8, next), slash: true);
        }

        // \s*[\r\n]+|\s+(?!\S)|\s+
        return PreTokenizerRules.WhiteSpace(utf8, start);
    }

    /// <summary>Matches <c>U*W+</c> at <paramref name="index"/>.</summary>
    /// <param name="utf8">The text.</param>
    /// <param name="index">The start.</param>
    /// <returns>The end of the match, or -1 when there is none.</returns>
    private static int UpperThenLower(ReadOnlySpan<byte> utf8, int index)
    {
        int lastLowerEnd = -1;
        while (index < utf8.Length)
        {
            byte b = utf8[index];
            if (b < 0x80)
            {
                // ASCII fast path: A-Z is U only, a-z is W only, the rest is neither.
                if ((uint)(b - 'A') <= 'Z' - 'A')
                {
                    index++;
                    continue;
                }

                if ((uint)(b - 'a') <= 'z' - 'a')
                {
                    return PreTokenizerRules.SkipAny(utf8, index + 1, Lower);
                }

                break;
            }

            int flags = TokenCharClass.Get(utf8, index, out int width);
            if ((flags & Upper) == 0)
            {
                if ((flags & Lower) != 0)
                {
                    return PreTokenizerRules.SkipAny(utf8, index + width, Lower);
                }

                break;
            }

            index += width;
            if ((flags & Lower) != 0)
            {
                lastLowerEnd = index;
            }
        }

        return lastLowerEnd;
    }
}
