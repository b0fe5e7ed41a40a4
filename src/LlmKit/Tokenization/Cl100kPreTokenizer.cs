namespace LlmKit;

/// <summary>
/// The pre-tokenizer of <c>cl100k_base</c>, equivalent to tiktoken's pattern
/// <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>
/// matched with leftmost-first (backtracking) semantics, as the Rust <c>fancy-regex</c> crate does.
/// </summary>
internal readonly struct Cl100kPreTokenizer : IPreTokenizer
{
    /// <inheritdoc/>
    public static int NextPieceEnd(ReadOnlySpan<byte> utf8, int start)
    {
        // (?i:'s|'t|'re|'ve|'m|'ll|'d)
        int contraction = PreTokenizerRules.Contraction(utf8, start);
        if (contraction != 0)
        {
            return start + contraction;
        }

        int flags = TokenCharClass.Get(utf8, start, out int width);
        int next = start + width;

        // [^\r\n\p{L}\p{N}]?\p{L}+
        if ((flags & TokenCharClass.Letter) != 0)
        {
            return PreTokenizerRules.SkipLetters(utf8, next);
        }

        if ((flags & (TokenCharClass.Number | TokenCharClass.Newline)) == 0 && next < utf8.Length)
        {
            if ((TokenCharClass.Get(utf8, next, out int nextWidth) & TokenCharClass.Letter) != 0)
            {
                return PreTokenizerRules.SkipLetters(utf8, next + nextWidth);
            }
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

        //  ?[^\s\p{L}\p{N}]+[\r\n]*
        if (utf8[start] == ' ' && next < utf8.Length && PreTokenizerRules.IsOther(TokenCharClass.Get(utf8, next, out int otherWidth)))
        {
            return PreTokenizerRules.SkipNewlines(utf8, PreTokenizerRules.SkipOther(utf8, next + otherWidth), slash: false);
        }

        if (PreTokenizerRules.IsOther(flags))
        {
            return PreTokenizerRules.SkipNewlines(utf8, PreTokenizerRules.SkipOther(utf8, next), slash: false);
        }

        // \s*[\r\n]+|\s+(?!\S)|\s+
        return PreTokenizerRules.WhiteSpace(utf8, start);
    }
}
