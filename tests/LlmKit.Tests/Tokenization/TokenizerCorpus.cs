using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace LlmKit.Tests.Tokenization;

/// <summary>
/// FsCheck generators of texts for the tiktoken conformance tests: English prose, code, CJK, emoji and other astral
/// characters (astral letters, digits and marks included), mixed scripts with combining marks and case changes,
/// long white-space runs, special-token text, long pieces (for the heap merge) and random Unicode with lone
/// surrogates.
/// </summary>
internal static class TokenizerCorpus
{
    private static readonly string[] s_words =
    [
        "the", "of", "and", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are", "as", "with", "his",
        "they", "at", "be", "this", "have", "from", "or", "one", "had", "by", "word", "but", "not", "what", "all", "were",
        "we", "when", "your", "can", "said", "there", "use", "an", "each", "which", "she", "do", "how", "their", "if",
        "will", "up", "other", "about", "out", "many", "then", "them", "these", "so", "some", "her", "would", "make",
        "like", "him", "into", "time", "has", "look", "two", "more", "write", "go", "see", "number", "no", "way", "could",
        "people", "my", "than", "first", "water", "been", "call", "who", "oil", "its", "now", "find", "long", "down",
        "day", "did", "get", "come", "made", "may", "part", "tokenizer", "encoding", "synergies", "deliverable",
        "internationalization", "antidisestablishmentarianism", "pneumonoultramicroscopicsilicovolcanoconiosis",
        "I", "a", "OK", "USA", "NASA", "iPhone", "McDonald", "eBay", "GPT", "JSON", "HTTPServer", "XMLHttpRequest",
    ];

    private static readonly string[] s_contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ve", "'M", "'LL", "'D", "'ſ", "\u2019s", "'x", "'"];

    private static readonly string[] s_punctuation = [",", ".", "!", "?", ";", ":", "\u2014", "\"", "(", ")", "...", "-", "'", "\u201C", "\u201D", "\u00BF", "\u00A1", "%", "&", "*"];

    private static readonly string[] s_code =
    [
        "public", "static", "void", "int", "return", "var", "const", "let", "function", "def", "class", "import", "from",
        "if", "else", "for", "while", "async", "await", "new", "null", "true", "false", "self", "this", "=>", "->", "::",
        "==", "!=", "===", "<=", ">=", "&&", "||", "+=", "-=", "++", "--", "//", "/*", "*/", "#", "@", "$", "%", "^", "~",
        "{", "}", "(", ")", "[", "]", "<", ">", ";", ",", ".", ":", "?", "!", "=", "+", "-", "*", "/", "\\", "|", "&",
        "\"text\"", "'c'", "`tpl ${x}`", "0x1F", "1e-9", "3.14159", "42", "1_000_000", "getValue", "set_value",
        "MAX_SIZE", "HttpClient", "parseJSON", "__init__", "i18n", "utf8", "src/LlmKit/Tokenization/Data", "../..",
        "https://example.com/a/b?c=d&e=f#g", "C:\\Windows\\System32", "<div class=\"x\">", "</div>", "{\"key\": [1, 2]}",
        "// TODO: fix", "# comment", "/// <summary>", "@Override", "#include <stdio.h>", "std::vector<int>", "*ptr",
    ];

    private static readonly string[] s_whiteSpace =
    [
        " ", "  ", "    ", "\t", "\n", "\r\n", "\r", "\n\n", "\u00A0", "\u3000", "\u2028", "\u2029", "\u0085", "\u000B",
        "\u000C", "\u2003", "\u202F", "\u205F", "\u1680", "\u200A",
    ];

    private static readonly string[] s_special =
    [
        "<|endoftext|>", "<|endofprompt|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|im_start|>",
        "<|endof", "<||>", "<|", "|>", "<|endoftext|", "<<|endoftext|>>",
    ];

    // (first, last) code point ranges of scripts, in the Basic Multilingual Plane and beyond.
    private static readonly (int First, int Last)[] s_mixedScripts =
    [
        (0x00C0, 0x024F), (0x0300, 0x036F), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x0531, 0x058A), (0x05B0, 0x05EA),
        (0x0600, 0x06FF), (0x0900, 0x097F), (0x0E01, 0x0E5B), (0x10A0, 0x10FF), (0x1200, 0x137F), (0x13A0, 0x13FD),
        (0xAB70, 0xABBF), (0x01C4, 0x01CC), (0x01F1, 0x01F3), (0x02B0, 0x02FF), (0x2160, 0x2188), (0x2460, 0x24FF),
        (0x00B2, 0x00BE), (0x1E00, 0x1EFF), (0x1F00, 0x1FFF), (0x2100, 0x214F), (0x0E80, 0x0EDF), (0x0B80, 0x0BFF),
        (0x1D00, 0x1DBF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F), (0x0660, 0x0669), (0x0966, 0x096F),
    ];

    private static readonly (int First, int Last)[] s_cjk =
    [
        (0x4E00, 0x9FFF), (0x3041, 0x3096), (0x30A1, 0x30FA), (0xAC00, 0xD7A3), (0x3000, 0x303F), (0xFF01, 0xFF5E),
        (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x1100, 0x11FF), (0x3130, 0x318F), (0xFF61, 0xFF9F),
    ];

    private static readonly (int First, int Last)[] s_astral =
    [
        (0x1F300, 0x1F5FF), (0x1F600, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F900, 0x1F9FF), (0x1FA70, 0x1FAFF),
        (0x1F3FB, 0x1F3FF), (0x1F1E6, 0x1F1FF), (0x1D400, 0x1D7FF), (0x10400, 0x1044F), (0x10330, 0x1034A),
        (0x11000, 0x1107F), (0x1D100, 0x1D1FF), (0x1E900, 0x1E95F), (0x104B0, 0x104FB), (0x118A0, 0x118FF),
        (0x13000, 0x1342F), (0x16E40, 0x16E9A), (0x1E800, 0x1E8D6), (0xE0020, 0xE007F), (0xE0100, 0xE01EF),
        (0xF0000, 0xF00FF), (0x10000, 0x100FA), (0x1F100, 0x1F1FF), (0x1D165, 0x1D169), (0x11100, 0x1114F),
    ];

    /// <summary>Gets the generator of one corpus text.</summary>
    public static Gen<string> Text { get; } = Gen.Frequency(
        (20, Prose()),
        (14, Code()),
        (9, Cjk()),
        (9, EmojiAndAstral()),
        (10, MixedScripts()),
        (8, WhiteSpaceRuns()),
        (12, RandomUnicode()),
        (3, SpecialTokenText()),
        (4, LongPieces()),
        (11, Combined()));

    /// <summary>Generates texts with FsCheck from a seed.</summary>
    /// <param name="seed">The seed; the same seed gives the same texts.</param>
    /// <param name="count">The number of texts.</param>
    /// <returns>The texts.</returns>
    public static string[] Generate(ulong seed, int count) => Gen.Sample(Text, count, new Rnd(seed), 30);

    /// <summary>
    /// Texts that hold every code point of planes 0 to 3 and 14 (where every assigned character is) and a sample of
    /// the unassigned and private-use planes, each after a lower-case letter, an upper-case letter and a digit and
    /// before a space, so that each one's letter, case, mark, number and space classes are exercised.
    /// </summary>
    /// <returns>The texts.</returns>
    public static List<string> EveryCodePoint()
    {
        var texts = new List<string>();
        var text = new StringBuilder();
        for (int codePoint = 0; codePoint <= 0x10FFFF; codePoint++)
        {
            int plane = codePoint >> 16;
            bool dense = plane is <= 3 or 14;
            if ((codePoint is >= 0xD800 and <= 0xDFFF) || (!dense && codePoint % (plane >= 15 ? 31 : 97) != 0))
            {
                continue;
            }

            string x = char.ConvertFromUtf32(codePoint);
            text.Append('a').Append(x).Append('A').Append(x).Append('1').Append(x).Append(' ');
            if (text.Length >= 4000)
            {
                texts.Add(text.ToString());
                text.Clear();
            }
        }

        texts.Add(text.ToString());
        return texts;
    }

    private static Gen<string> Concat(Gen<string> fragment, int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => fragment.ArrayOf(n)).Select(string.Concat);

    private static Gen<string> CodePointIn((int First, int Last)[] ranges) =>
        Gen.Elements(ranges).SelectMany(r => Gen.Choose(r.First, r.Last)).Select(ToText);

    private static string ToText(int codePoint) =>
        codePoint is >= 0xD800 and <= 0xDFFF ? ((char)codePoint).ToString() : char.ConvertFromUtf32(codePoint);

    private static Gen<string> Word() =>
        Gen.Elements(s_words).SelectMany(w => Gen.Frequency(
            (6, Gen.Constant(w)),
            (2, Gen.Constant(w.Length > 0 ? char.ToUpperInvariant(w[0]) + w[1..] : w)),
            (1, Gen.Constant(w.ToUpperInvariant())),
            (1, Gen.Elements(s_contractions).Select(c => w + c))));

    private static Gen<string> Number() => Gen.Frequency(
        (3, Gen.Choose(0, 100_000).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.Choose(0, 9999).Select(n => "$" + (n / 100.0).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.Choose(1900, 2100).Select(n => "in " + n.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    private static Gen<string> Prose() => Concat(
        Gen.Frequency(
            (12, Word().Select(w => w + " ")),
            (3, Word().SelectMany(w => Gen.Elements(s_punctuation).Select(p => w + p + " "))),
            (2, Number().Select(n => n + " ")),
            (1, Gen.Elements("\n", "\n\n", " \n", "  ", "\r\n"))),
        1,
        40);

    private static Gen<string> Indent() =>
        Gen.Elements("\n", "\r\n").SelectMany(nl => Gen.Frequency(
            (3, Gen.Choose(0, 16).Select(n => nl + new string(' ', n))),
            (1, Gen.Choose(0, 4).Select(n => nl + new string('\t', n)))));

    private static Gen<string> Code() => Concat(
        Gen.Frequency(
            (10, Gen.Elements(s_code)),
            (4, Gen.Elements(" ", " ", "")),
            (2, Indent()),
            (1, Word())),
        1,
        60);

    private static Gen<string> Cjk() => Concat(
        Gen.Frequency(
            (12, CodePointIn(s_cjk)),
            (1, Word().Select(w => " " + w + " ")),
            (1, Gen.Elements("\u3002", "\u3001", "\uFF0C", "\n", " ", "1", "2024\u5E74"))),
        1,
        80);

    private static Gen<string> EmojiSequence() => Gen.Frequency(
        (6, CodePointIn(s_astral)),
        (1, CodePointIn(s_astral).SelectMany(a => Gen.Elements("\u200D", "\uFE0F", "\U0001F3FD", "\uFE0F\u20E3").Select(j => a + j))),
        (1, Gen.Constant("\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466")),
        (1, Gen.Choose(0x1F1E6, 0x1F1FF).Two().Select(p => char.ConvertFromUtf32(p.Item1) + char.ConvertFromUtf32(p.Item2))));

    private static Gen<string> EmojiAndAstral() => Concat(
        Gen.Frequency(
            (6, EmojiSequence()),
            (2, Word()),
            (2, Gen.Elements(" ", "  ", "\n", "!", "'s", "A", "a", "1"))),
        1,
        40);

    private static Gen<string> MixedScripts() => Concat(
        Gen.Frequency(
            (8, CodePointIn(s_mixedScripts)),
            (3, Gen.Choose(0x41, 0x7A).Select(ToText)),
            (2, Gen.Elements(" ", " ", "\n", "'", "'s", "-", "1")),
            (1, Word())),
        1,
        60);

    private static Gen<string> WhiteSpaceRuns() => Concat(
        Gen.Frequency(
            (6, Gen.Elements(s_whiteSpace)),
            (2, Gen.Choose(1, 200).Select(n => new string(' ', n))),
            (1, Gen.Choose(1, 50).SelectMany(n => Gen.Elements("\n", "\t", "\r\n", "\u3000").Select(w => string.Concat(Enumerable.Repeat(w, n))))),
            (3, Word()),
            (1, Gen.Elements("!", "1", "\u4E2D", "\U0001F600", "/", "A"))),
        1,
        30);

    private static Gen<string> RandomUnicode() => Concat(
        Gen.Frequency(
            (6, Gen.Choose(0, 0xFFFF).Select(ToText)), // any code unit, lone surrogates included
            (4, Gen.Choose(0, 0x10FFFF).Select(ToText)),
            (2, Gen.Choose(0xD800, 0xDFFF).Select(ToText)),
            (1, Gen.Choose(0xDC00, 0xDFFF).SelectMany(low => Gen.Choose(0xD800, 0xDBFF).Select(high => ((char)low).ToString() + (char)high))),
            (1, Gen.Elements("\uFFFE", "\uFFFF", "\uFDD0", "\uFFFD", "\0", "\u007F", "\u00AD", "\u200B", "\uFEFF")),
            (2, Gen.Elements(" ", "\n", "a", "A", "'", "1"))),
        1,
        40);

    private static Gen<string> SpecialTokenText() => Concat(
        Gen.Frequency(
            (2, Gen.Elements(s_special)),
            (3, Word().Select(w => w + " ")),
            (1, Gen.Elements(" ", "\n", "<", "|", ">"))),
        1,
        20);

    private static Gen<string> LongPieces() => Gen.Frequency(
        (2, Gen.Choose(100, 600).SelectMany(n => Gen.Choose('a', 'z').Select(c => (char)c).ArrayOf(n)).Select(cs => new string(cs))),
        (2, Gen.Choose(50, 600).SelectMany(n => Gen.Elements("a", "ab", "=", "-", "1", "0", "\u4E00", "\U0001F600", "\u0301", " ", ".").Select(s => string.Concat(Enumerable.Repeat(s, n))))),
        (2, Gen.Choose(100, 900).SelectMany(n => Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(n)).Select(Convert.ToBase64String)),
        (1, Gen.Choose(70, 400).SelectMany(n => Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(n)).Select(Convert.ToHexString)),
        (2, Gen.Choose(50, 400).SelectMany(n => CodePointIn(s_cjk).ArrayOf(n)).Select(string.Concat)),
        (1, Gen.Choose(20, 300).SelectMany(n => Gen.Choose(0x300, 0x36F).Select(ToText).ArrayOf(n)).Select(marks => "Z" + string.Concat(marks) + "algo")),
        (1, Gen.Choose(50, 400).SelectMany(n => Gen.Choose(0x430, 0x44F).Select(ToText).ArrayOf(n)).Select(string.Concat)));

    private static Gen<string> Combined() =>
        Gen.Choose(2, 5).SelectMany(n => Gen.OneOf(Prose(), Code(), Cjk(), EmojiAndAstral(), MixedScripts(), WhiteSpaceRuns(), RandomUnicode(), SpecialTokenText()).ArrayOf(n)).Select(string.Concat);
}
