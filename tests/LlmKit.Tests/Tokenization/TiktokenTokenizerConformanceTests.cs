using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace LlmKit.Tests.Tokenization;

/// <summary>
/// <see cref="TiktokenTokenizer"/> against Microsoft.ML.Tokenizers' <c>TiktokenTokenizer</c>, in process, on 100,000
/// FsCheck-generated texts and a sweep of every code point; see <see cref="MLTokenizersReferenceFixture"/>.
/// </summary>
/// <remarks>
/// Two documented differences, each asserted by its own test:
/// <list type="bullet">
/// <item><description>Special-token text (<c>&lt;|endoftext|&gt;</c>): Microsoft.ML.Tokenizers encodes it as the special
/// token in the short texts of the test (in the longer generated texts it mostly did not, so those are left out of the
/// id comparisons and only LlmKit's own plain/allowed behaviour is checked there), where LlmKit, like tiktoken's <c>encode_ordinary</c>, treats it as plain text unless
/// <c>allowSpecialTokens</c> is set.</description></item>
/// <item><description>Lone surrogates: Microsoft.ML.Tokenizers encodes one as its three "generalized UTF-8" bytes, where
/// tiktoken and LlmKit encode U+FFFD; the reference ids are therefore taken on the text with lone surrogates replaced by
/// U+FFFD (<see cref="MLTokenizersReferenceFixture.WellFormed"/>).</description></item>
/// <item><description>Astral characters (U+10000 and up): .NET's <c>Regex</c>, which Microsoft.ML.Tokenizers' pre-tokenizer
/// uses, matches <c>\p{L}</c> and <c>\p{N}</c> on UTF-16 code units, so an astral letter is two surrogates to it and the
/// pieces around it split differently from tiktoken's (a contraction after an astral letter, for one). The id comparisons
/// leave out texts with astral characters (the code point sweep still covers each one alone); the difference is asserted
/// on fixed examples, as is the contraction <c>'ſ</c> (U+017F), which tiktoken's case-insensitive pattern takes as <c>'s</c>
/// and .NET's does not.</description></item>
/// </list>
/// </remarks>
[Trait("Category", "Conformance")]
public sealed class TiktokenTokenizerConformanceTests(MLTokenizersReferenceFixture reference, ITestOutputHelper output)
    : IClassFixture<MLTokenizersReferenceFixture>
{
    public static TheoryData<string> Encodings => new() { TokenizerEncodings.O200kBase, TokenizerEncodings.Cl100kBase };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Encode_GeneratedCorpusWithoutSpecialTokenText_MatchesReferenceIds(string encoding)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        int[][] expected = reference.For(encoding).Generated;
        var failures = new List<string>();
        int compared = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            string text = reference.Generated[i];
            if (Excluded(tokenizer, text))
            {
                continue;
            }

            compared++;
            int[] actual = tokenizer.EncodeToArray(text);
            if (!actual.AsSpan().SequenceEqual(expected[i]))
            {
                failures.Add(Difference(text, expected[i], actual));
            }
        }

        Assert.True(compared > reference.Generated.Length / 3, $"only {compared} texts without special-token text and astral characters");
        Report(encoding, "generated texts", compared, failures);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Encode_SpecialTokenTextInCorpus_PlainUnlessAllowed(string encoding)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        var failures = new List<string>();
        int compared = 0;
        foreach (string text in reference.Generated)
        {
            if (!HasSpecialTokenText(tokenizer, text))
            {
                continue;
            }

            compared++;
            int[] allowed = tokenizer.EncodeToArray(text, allowSpecialTokens: true);
            int[] plain = tokenizer.EncodeToArray(text);
            if (plain.Any(id => tokenizer.SpecialTokens.Values.Contains(id)) || !allowed.Any(id => tokenizer.SpecialTokens.Values.Contains(id)))
            {
                failures.Add(Difference(text, allowed, plain));
            }
        }

        Assert.True(compared > 0, "the corpus has no special-token text");
        Report(encoding, "texts with special-token text", compared, failures);
    }

    [Theory]
    [InlineData("<|endoftext|>", "o200k_base")]
    [InlineData("a <|endoftext|> b", "o200k_base")]
    [InlineData("x<|endofprompt|>", "o200k_base")]
    [InlineData("a <|endoftext|> b", "cl100k_base")]
    [InlineData("x <|fim_prefix|>", "cl100k_base")]
    public void Encode_SpecialTokenText_ReferenceEncodesAsSpecialLlmKitOnlyWhenAllowed(string text, string encoding)
    {
        // The documented difference: Microsoft.ML.Tokenizers' EncodeToIds has no encode_ordinary; it encodes special-token
        // text as the special token (in these contexts; in some longer corpus texts it did not, so the corpus comparisons
        // above leave special-token text out). LlmKit treats it as plain text unless allowSpecialTokens is set.
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        int[] reference = MLTokenizersReferenceFixture.Tokenizer(encoding).EncodeToIds(text).ToArray();
        Assert.Equal(reference, tokenizer.EncodeToArray(text, allowSpecialTokens: true));
        Assert.NotEqual(reference, tokenizer.EncodeToArray(text));
        Assert.DoesNotContain(tokenizer.EncodeToArray(text), id => tokenizer.SpecialTokens.Values.Contains(id));
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Encode_LoneSurrogates_ReferenceEncodesSurrogateBytesLlmKitReplacementCharacter(string encoding)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        var ml = MLTokenizersReferenceFixture.Tokenizer(encoding);
        var failures = new List<string>();
        int compared = 0;
        for (int i = 0; i < reference.Generated.Length; i += 5)
        {
            string text = reference.Generated[i];
            if (!MLTokenizersReferenceFixture.HasLoneSurrogate(text) || Excluded(tokenizer, text))
            {
                continue;
            }

            compared++;
            int[] actual = tokenizer.EncodeToArray(text);
            int[] raw = ml.EncodeToIds(text).ToArray();
            int[] replaced = ml.EncodeToIds(MLTokenizersReferenceFixture.WellFormed(text)).ToArray();
            if (actual.AsSpan().SequenceEqual(raw) || !actual.AsSpan().SequenceEqual(replaced))
            {
                failures.Add(Difference(text, replaced, actual));
            }
        }

        Assert.True(compared > 0, "the corpus has no lone surrogates");
        Report(encoding, "texts with lone surrogates", compared, failures);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Encode_EveryCodePoint_MatchesReferenceIds(string encoding)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        int[][] expected = reference.For(encoding).CodePointSweep;
        var failures = new List<string>();
        for (int i = 0; i < expected.Length; i++)
        {
            int[] actual = tokenizer.EncodeToArray(reference.CodePointSweep[i]);
            if (!actual.AsSpan().SequenceEqual(expected[i]))
            {
                failures.Add(Difference(reference.CodePointSweep[i], expected[i], actual));
            }
        }

        Report(encoding, "code point sweep texts", expected.Length, failures);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void CountTokens_GeneratedCorpus_EqualsReferenceCountAndFitsExactly(string encoding)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        var ml = MLTokenizersReferenceFixture.Tokenizer(encoding);
        var failures = new List<string>();
        int compared = 0;
        foreach (string text in reference.Generated)
        {
            if (Excluded(tokenizer, text))
            {
                continue;
            }

            compared++;
            int expected = ml.CountTokens(MLTokenizersReferenceFixture.WellFormed(text));
            int count = tokenizer.CountTokens(text);
            bool within = tokenizer.TryCountTokens(text, expected, out int limited);
            bool over = expected == 0 || !tokenizer.TryCountTokens(text, expected - 1, out _);
            if (count != expected || !within || limited != count || !over)
            {
                failures.Add($"{Escape(text)}: reference {expected}, CountTokens {count}, TryCountTokens {within}/{limited}/{over}");
            }
        }

        Report(encoding, "generated texts counted", compared, failures);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Decode_ReferenceIds_RoundTripsTextWithLoneSurrogatesAsReplacement(string encoding)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        int[][] expected = reference.For(encoding).Generated;
        var failures = new List<string>();
        for (int i = 0; i < expected.Length; i++)
        {
            string text = reference.Generated[i];
            string decoded = tokenizer.Decode(expected[i]);
            string wellFormed = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
            if (decoded != wellFormed)
            {
                failures.Add($"{Escape(text)} decoded as {Escape(decoded)}");
            }
        }

        Report(encoding, "generated texts decoded", expected.Length, failures);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Truncate_GeneratedCorpus_FitsByReferenceCountOnTextElementBoundaries(string encoding)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        var ml = MLTokenizersReferenceFixture.Tokenizer(encoding);
        var failures = new List<string>();
        int checkedTexts = 0;
        for (int i = 0; i < reference.Generated.Length; i += 25)
        {
            string text = reference.Generated[i];
            if (Excluded(tokenizer, text))
            {
                continue;
            }

            string wellFormed = MLTokenizersReferenceFixture.WellFormed(text);
            int max = ml.CountTokens(wellFormed) / 2;
            if (max == 0)
            {
                continue;
            }

            checkedTexts++;
            foreach (bool fromEnd in new[] { false, true })
            {
                string kept = tokenizer.Truncate(text, max, fromEnd);

                // The reference's cut (the most text whose tokens, in the whole text's encoding, fit in max) is printed on failure
                // only: LlmKit re-encodes the kept text, so it may keep a character more (" \u9a96" to 1 token keeps " ", where the
                // whole text's first token holds the space and a byte of the next character, so the reference cuts at 0).
                int referenceLength = fromEnd
                    ? text.Length - ml.GetIndexByTokenCountFromEnd(wellFormed, max, out _, out _)
                    : ml.GetIndexByTokenCount(wellFormed, max, out _, out _);
                bool boundary = kept.Length == 0 || IsTextElementBoundary(text, fromEnd ? text.Length - kept.Length : kept.Length);
                bool part = fromEnd ? text.EndsWith(kept, StringComparison.Ordinal) : text.StartsWith(kept, StringComparison.Ordinal);
                if (!part || !boundary || ml.CountTokens(MLTokenizersReferenceFixture.WellFormed(kept)) > max)
                {
                    failures.Add($"{Escape(text)} to {max} (fromEnd {fromEnd}): {Escape(kept)} ({kept.Length} chars, reference cut {referenceLength})");
                }
            }
        }

        Report(encoding, "generated texts truncated", checkedTexts, failures);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void MLTokenizerAdapter_GeneratedCorpus_CountsEncodesAndTruncatesLikeLlmKit(string encoding)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        var adapter = new MLTokenizerAdapter(MLTokenizersReferenceFixture.Tokenizer(encoding), encoding);
        var failures = new List<string>();
        int checkedTexts = 0;
        for (int i = 0; i < reference.Generated.Length; i += 10)
        {
            // The adapter keeps Microsoft.ML.Tokenizers' own handling of lone surrogates: compare on well-formed text.
            string text = MLTokenizersReferenceFixture.WellFormed(reference.Generated[i]);
            if (Excluded(tokenizer, text))
            {
                continue;
            }

            checkedTexts++;
            int count = tokenizer.CountTokens(text);
            if (adapter.CountTokens(text) != count || !adapter.Encode(text).SequenceEqual(tokenizer.EncodeToArray(text)))
            {
                failures.Add($"{Escape(text)}: LlmKit {count}, adapter {adapter.CountTokens(text)}");
                continue;
            }

            int max = count / 2;
            foreach (bool fromEnd in new[] { false, true })
            {
                string kept = adapter.Truncate(text, max, fromEnd);
                bool part = fromEnd ? text.EndsWith(kept, StringComparison.Ordinal) : text.StartsWith(kept, StringComparison.Ordinal);
                if (!part || tokenizer.CountTokens(kept) > max)
                {
                    failures.Add($"{Escape(text)} to {max} (fromEnd {fromEnd}): adapter kept {Escape(kept)}");
                }
            }
        }

        Report(encoding, "texts through MLTokenizerAdapter", checkedTexts, failures);
    }

    [Theory]
    [InlineData("\U0001D400's", "o200k_base")]
    [InlineData("\U0001D400's", "cl100k_base")]
    [InlineData("\U00010428'll", "o200k_base")]
    [InlineData(" I'\u017F", "o200k_base")]
    public void Encode_ContractionAfterAstralLetterOrLongS_ReferenceSplitsItLlmKitKeepsItLikeTiktoken(string text, string encoding)
    {
        // The same for 'ſ (U+017F LATIN SMALL LETTER LONG S): tiktoken's case-insensitive (?i:'s|...) matches it by Unicode
        // case folding, .NET's IgnoreCase does not.
        // tiktoken's pattern matches \p{L} on code points, so an astral letter (U+1D400 MATHEMATICAL BOLD CAPITAL A) starts a
        // word that takes the contraction; .NET's Regex, which Microsoft.ML.Tokenizers uses, sees two surrogates (category
        // Cs), so the apostrophe starts a new piece. LlmKit follows tiktoken (checked against npm tiktoken before this suite
        // moved in process); texts with astral characters are therefore left out of the id comparisons above.
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        var ml = MLTokenizersReferenceFixture.Tokenizer(encoding);
        int[] actual = tokenizer.EncodeToArray(text);
        if (char.IsSurrogate(text[0]))
        {
            // The astral letter's bytes, then the contraction as one token.
            Assert.Equal(tokenizer.EncodeToArray(text.AsSpan(0, 2)).Append(tokenizer.EncodeToArray(text.AsSpan(2)).Single()), actual);
        }

        Assert.NotEqual(actual, ml.EncodeToIds(text).ToArray());
        Assert.Equal(ml.EncodeToIds(text).Count, actual.Length + 1);
    }

    /// <summary>Whether a text is outside the exact id comparison: special-token text, astral characters, or the contraction <c>'ſ</c>.</summary>
    private static bool Excluded(TiktokenTokenizer tokenizer, string text)
        => HasSpecialTokenText(tokenizer, text) || HasAstral(text) || text.Contains("'\u017F", StringComparison.OrdinalIgnoreCase);

    private static bool HasAstral(string text)
    {
        for (int i = 0; i + 1 < text.Length; i++)
        {
            if (char.IsSurrogatePair(text[i], text[i + 1]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasSpecialTokenText(TiktokenTokenizer tokenizer, string text)
    {
        if (!text.Contains("<|", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (string special in tokenizer.SpecialTokens.Keys)
        {
            if (text.Contains(special, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private void Report(string encoding, string what, int total, List<string> failures)
    {
        output.WriteLine($"{encoding}: {total - failures.Count} of {total} {what} match, {reference.SeedNote}");
        Assert.True(
            failures.Count == 0,
            $"{encoding}: {failures.Count} of {total} {what} differ from Microsoft.ML.Tokenizers, {reference.SeedNote}. First ones:\n  {string.Join("\n  ", failures.Take(10))}");
    }

    private static string Difference(string text, int[] expected, int[] actual)
    {
        int at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at])
        {
            at++;
        }

        int from = Math.Max(0, at - 3);
        return $"{Escape(text)}\n    first difference at id {at}: reference [{string.Join(",", expected.Skip(from).Take(8))}]\n    actual    [{string.Join(",", actual.Skip(from).Take(8))}]";
    }

    private static bool IsTextElementBoundary(string text, int index)
    {
        for (int at = 0; at < text.Length; at += StringInfo.GetNextTextElementLength(text, at))
        {
            if (at >= index)
            {
                return at == index;
            }
        }

        return index == text.Length;
    }

    private static string Escape(string text)
    {
        var escaped = new StringBuilder("\"");
        foreach (char c in text.Length > 300 ? text[..300] : text)
        {
            escaped.Append(c is >= ' ' and < '\u007F' and not '"' and not '\\' ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return escaped.Append(text.Length > 300 ? $"\"... ({text.Length} chars)" : "\"").ToString();
    }
}
