using System.Runtime.CompilerServices;

namespace LlmKit;

/// <summary>The pieces of the tiktoken patterns that <c>cl100k_base</c> and <c>o200k_base</c> share.</summary>
internal static class PreTokenizerRules
{
    private const int NotOther = TokenCharClass.Letter | TokenCharClass.Number | TokenCharClass.Space;

    /// <summary>
    /// Matches <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)</c> at <paramref name="index"/>. Case-insensitive matching in the
    /// Rust regex crate uses simple case folding, so <c>s</c> also matches U+017F LATIN SMALL LETTER LONG S.
    /// </summary>
    /// <param name="utf8">The text.</param>
    /// <param name="index">The index of a possible apostrophe.</param>
    /// <returns>The length of the match in bytes, or 0.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Contraction(ReadOnlySpan<byte> utf8, int index)
    {
        if (index + 1 >= utf8.Length || utf8[index] != (byte)'\'')
        {
            return 0;
        }

        return ContractionAfterApostrophe(utf8, index);
    }

    /// <summary>Skips <c>\p{L}*</c>.</summary>
    /// <param name="utf8">The text.</param>
    /// <param name="index">The start.</param>
    /// <returns>The end of the run.</returns>
    public static int SkipLetters(ReadOnlySpan<byte> utf8, int index)
    {
        while (index < utf8.Length)
        {
            byte b = utf8[index];
            if (b < 0x80)
            {
                // ASCII letters are the only ASCII \p{L}.
                if ((uint)((b | 0x20) - 'a') > 'z' - 'a')
                {
                    break;
                }

                index++;
                continue;
            }

            if ((TokenCharClass.Get(utf8, index, out int width) & TokenCharClass.Letter) == 0)
            {
                break;
            }

            index += width;
        }

        return index;
    }

    /// <summary>Skips characters that have any of the <paramref name="flags"/>.</summary>
    /// <param name="utf8">The text.</param>
    /// <param name="index">The start.</param>
    /// <param name="flags">The class flags, any of which a character must have.</param>
    /// <returns>The end of the run.</returns>
    public static int SkipAny(ReadOnlySpan<byte> utf8, int index, int flags)
    {
        while (index < utf8.Length && (TokenCharClass.Get(utf8, index, out int width) & flags) != 0)
        {
            index += width;
        }

        return index;
    }

    /// <summary>Skips <c>[^\s\p{L}\p{N}]*</c>.</summary>
    /// <param name="utf8">The text.</param>
    /// <param name="index">The start.</param>
    /// <returns>The end of the run.</returns>
    public static int SkipOther(ReadOnlySpan<byte> utf8, int index)
    {
        while (index < utf8.Length && (TokenCharClass.Get(utf8, index, out int width) & NotOther) == 0)
        {
            index += width;
        }

        return index;
    }

    /// <summary>Whether flags describe <c>[^\s\p{L}\p{N}]</c>.</summary>
    /// <param name="flags">The class flags.</param>
    /// <returns><see langword="true"/> for a character that is not a letter, number or white space.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsOther(int flags) => (flags & NotOther) == 0;

    /// <summary>Skips <c>[\r\n]*</c>, or <c>[\r\n/]*</c> when <paramref name="slash"/> is set.</summary>
    /// <param name="utf8">The text.</param>
    /// <param name="index">The start.</param>
    /// <param name="slash">Whether <c>/</c> is skipped too.</param>
    /// <returns>The end of the run.</returns>
    public static int SkipNewlines(ReadOnlySpan<byte> utf8, int index, bool slash)
    {
        while (index < utf8.Length)
        {
            byte b = utf8[index];
            if (b != '\n' && b != '\r' && (!slash || b != '/'))
            {
                break;
            }

            index++;
        }

        return index;
    }

    /// <summary>
    /// Matches <c>\s*[\r\n]+|\s+(?!\S)|\s+</c> at a white-space character, with backtracking semantics: up to the
    /// last newline of the run if it has one; else the whole run at the end of the text; else the run less its last
    /// character when that leaves at least one; else the single character.
    /// </summary>
    /// <param name="utf8">The text.</param>
    /// <param name="start">The index of a white-space character.</param>
    /// <returns>The end of the match.</returns>
    public static int WhiteSpace(ReadOnlySpan<byte> utf8, int start)
    {
        int index = start, last = start, newlineEnd = -1;
        while (index < utf8.Length)
        {
            int flags = TokenCharClass.Get(utf8, index, out int width);
            if ((flags & TokenCharClass.Space) == 0)
            {
                break;
            }

            last = index;
            index += width;
            if ((flags & TokenCharClass.Newline) != 0)
            {
                newlineEnd = index;
            }
        }

        if (newlineEnd >= 0)
        {
            return newlineEnd;
        }

        if (index == utf8.Length || last == start)
        {
            return index;
        }

        return last;
    }

    private static int ContractionAfterApostrophe(ReadOnlySpan<byte> utf8, int index)
    {
        byte next = utf8[index + 1];
        switch (next | 0x20)
        {
            case 's' or 't' or 'm' or 'd':
                return 2;
            case 'r' or 'v':
                return index + 2 < utf8.Length && (utf8[index + 2] | 0x20) == 'e' ? 3 : 0;
            case 'l':
                return index + 2 < utf8.Length && (utf8[index + 2] | 0x20) == 'l' ? 3 : 0;
            default:
                // U+017F (C5 BF) folds to 's'.
                return next == 0xC5 && index + 2 < utf8.Length && utf8[index + 2] == 0xBF ? 3 : 0;
        }
    }
}
