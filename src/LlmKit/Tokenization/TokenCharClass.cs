using System.Globalization;
using System.Runtime.CompilerServices;

namespace LlmKit;

/// <summary>
/// Classifies code points for the tiktoken pre-tokenizers the way the Rust <c>regex</c> crate does:
/// <c>\p{L}</c>, <c>\p{N}</c>, <c>\p{M}</c> and the letter case classes are Unicode general categories of whole
/// code points (astral ones included), <c>\s</c> is the Unicode <c>White_Space</c> property.
/// </summary>
/// <remarks>
/// Works on UTF-8 that <see cref="System.Text.Encoding.UTF8"/> produced (always well formed; a lone surrogate of
/// the original text is already U+FFFD, as in tiktoken's bindings). Basic Multilingual Plane code points are
/// classified by a 64 KiB table built once from <see cref="CharUnicodeInfo"/>; astral ones by
/// <see cref="CharUnicodeInfo.GetUnicodeCategory(int)"/>.
/// </remarks>
internal static class TokenCharClass
{
    /// <summary><c>\p{L}</c>: Lu, Ll, Lt, Lm, Lo.</summary>
    public const int Letter = 1;

    /// <summary><c>\p{N}</c>: Nd, Nl, No.</summary>
    public const int Number = 2;

    /// <summary><c>\s</c>: the Unicode White_Space property.</summary>
    public const int Space = 4;

    /// <summary><c>\r</c> or <c>\n</c>.</summary>
    public const int Newline = 8;

    /// <summary>o200k's <c>[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]</c>.</summary>
    public const int Upper = 16;

    /// <summary>o200k's <c>[\p{Ll}\p{Lm}\p{Lo}\p{M}]</c>.</summary>
    public const int Lower = 32;

    private static readonly byte[] s_bmp = BuildBmpTable();

    /// <summary>Gets the class flags of the code point that starts at <paramref name="index"/>, and its UTF-8 width.</summary>
    /// <param name="utf8">Well-formed UTF-8.</param>
    /// <param name="index">The index of the code point's first byte.</param>
    /// <param name="width">The code point's UTF-8 length in bytes.</param>
    /// <returns>The class flags.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Get(ReadOnlySpan<byte> utf8, int index, out int width)
    {
        uint b = utf8[index];
        if (b < 0x80)
        {
            width = 1;
            return s_bmp[b];
        }

        return GetMultiByte(utf8, index, out width);
    }

    private static int GetMultiByte(ReadOnlySpan<byte> utf8, int index, out int width)
    {
        uint b = utf8[index];
        if (b < 0xE0)
        {
            width = 2;
            return s_bmp[((b & 0x1F) << 6) | (utf8[index + 1] & 0x3Fu)];
        }

        if (b < 0xF0)
        {
            width = 3;
            return s_bmp[((b & 0x0F) << 12) | ((utf8[index + 1] & 0x3Fu) << 6) | (utf8[index + 2] & 0x3Fu)];
        }

        width = 4;
        int codePoint = (int)(((b & 0x07) << 18) | ((utf8[index + 1] & 0x3Fu) << 12) | ((utf8[index + 2] & 0x3Fu) << 6) | (utf8[index + 3] & 0x3Fu));
        return FromCategory(CharUnicodeInfo.GetUnicodeCategory(codePoint));
    }

    private static int FromCategory(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter => Letter | Upper,
        UnicodeCategory.LowercaseLetter => Letter | Lower,
        UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Letter | Upper | Lower,
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => Upper | Lower,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Number,
        _ => 0,
    };

    private static byte[] BuildBmpTable()
    {
        byte[] table = new byte[0x10000];
        for (int c = 0; c < table.Length; c++)
        {
            // Surrogate code units never reach the table: the UTF-8 input has U+FFFD in place of a lone one.
            table[c] = (byte)FromCategory(CharUnicodeInfo.GetUnicodeCategory((char)c));
        }

        // White_Space (PropList.txt); all of it is in the BMP and none of it is a letter or number.
        ReadOnlySpan<int> whiteSpace = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000];
        foreach (int c in whiteSpace)
        {
            table[c] = Space;
        }

        for (int c = 0x2000; c <= 0x200A; c++)
        {
            table[c] = Space;
        }

        table['\r'] = Space | Newline;
        table['\n'] = Space | Newline;
        return table;
    }
}
