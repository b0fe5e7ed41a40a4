using System.Text;
using Xunit.Abstractions;

namespace LlmKit.Tests.Tokenization;

/// <summary>
/// <see cref="TiktokenTokenizer"/> against the reference tiktoken (npm <c>tiktoken</c>) on 100,000 FsCheck-generated
/// texts and a sweep of every code point; see <see cref="TiktokenReferenceFixture"/>. About 30 seconds on 2 cores;
/// leave them out with <c>--filter "Category!=Conformance"</c>.
/// </summary>
[Trait("Category", "Conformance")]
public sealed class TiktokenTokenizerConformanceTests(TiktokenReferenceFixture reference, ITestOutputHelper output)
    : IClassFixture<TiktokenReferenceFixture>
{
    public static TheoryData<string> Encodings => new() { TokenizerEncodings.O200kBase, TokenizerEncodings.Cl100kBase };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Encode_GeneratedCorpus_MatchesReferenceIds(string encoding)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        var failures = Compare(reference.Generated, reference.For(encoding).Generated, text => tokenizer.EncodeToArray(text));
        Report(encoding, "generated texts", reference.Generated.Length, failures);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Encode_EveryCodePoint_MatchesReferenceIds(string encoding)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        var failures = Compare(reference.CodePointSweep, reference.For(encoding).CodePointSweep, text => tokenizer.EncodeToArray(text));
        Report(encoding, "code point sweep texts", reference.CodePointSweep.Count, failures);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Encode_SpecialTokensAllowed_MatchesReferenceIds(string encoding)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        var failures = Compare(reference.WithSpecialTokens, reference.For(encoding).WithSpecialTokens, text => tokenizer.EncodeToArray(text, allowSpecialTokens: true));
        Assert.NotEmpty(reference.WithSpecialTokens);
        Report(encoding, "texts with special tokens allowed", reference.WithSpecialTokens.Count, failures);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void CountTokens_GeneratedCorpus_EqualsReferenceCount(string encoding)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        int[][] expected = reference.For(encoding).Generated;
        var failures = new List<string>();
        for (int i = 0; i < expected.Length; i++)
        {
            string text = reference.Generated[i];
            int count = tokenizer.CountTokens(text);
            bool within = tokenizer.TryCountTokens(text, expected[i].Length, out int limited);
            bool over = expected[i].Length == 0 || !tokenizer.TryCountTokens(text, expected[i].Length - 1, out _);
            if (count != expected[i].Length || !within || limited != count || !over)
            {
                failures.Add($"{Escape(text)}: reference {expected[i].Length}, CountTokens {count}, TryCountTokens {within}/{limited}/{over}");
            }
        }

        Report(encoding, "generated texts counted", expected.Length, failures);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Decode_GeneratedCorpus_RoundTripsTextWithLoneSurrogatesAsReplacement(string encoding)
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
    public void Truncate_GeneratedCorpus_KeepsAtMostMaxTokensOnTextElementBoundaries(string encoding)
    {
        var tokenizer = TiktokenTokenizer.GetEncoding(encoding);
        int[][] expected = reference.For(encoding).Generated;
        var failures = new List<string>();
        int checkedTexts = 0;
        for (int i = 0; i < expected.Length; i += 25)
        {
            string text = reference.Generated[i];
            int max = expected[i].Length / 2;
            checkedTexts++;
            foreach (bool fromEnd in new[] { false, true })
            {
                string kept = tokenizer.Truncate(text, max, fromEnd);
                bool boundary = kept.Length == 0 || IsTextElementBoundary(text, fromEnd ? text.Length - kept.Length : kept.Length);
                bool part = fromEnd ? text.EndsWith(kept, StringComparison.Ordinal) : text.StartsWith(kept, StringComparison.Ordinal);
                if (!part || !boundary || tokenizer.CountTokens(kept) > max)
                {
                    failures.Add($"{Escape(text)} to {max} (fromEnd {fromEnd}): {Escape(kept)}");
                }
            }
        }

        Report(encoding, "generated texts truncated", checkedTexts, failures);
    }

    private static List<string> Compare(IReadOnlyList<string> texts, int[][] expected, Func<string, int[]> encode)
    {
        Assert.Equal(texts.Count, expected.Length);
        var failures = new List<string>();
        for (int i = 0; i < texts.Count; i++)
        {
            int[] actual = encode(texts[i]);
            if (!actual.AsSpan().SequenceEqual(expected[i]))
            {
                failures.Add($"{Escape(texts[i])}\n    reference [{string.Join(",", expected[i])}]\n    actual    [{string.Join(",", actual)}]");
            }
        }

        return failures;
    }

    private void Report(string encoding, string what, int total, List<string> failures)
    {
        output.WriteLine($"{encoding}: {total - failures.Count} of {total} {what} match, {reference.SeedNote}");
        Assert.True(
            failures.Count == 0,
            $"{encoding}: {failures.Count} of {total} {what} differ from tiktoken {TiktokenReferenceFixture.ReferenceVersion}, {reference.SeedNote}. First ones:\n  {string.Join("\n  ", failures.Take(10))}");
    }

    private static bool IsTextElementBoundary(string text, int index)
    {
        for (int at = 0; at < text.Length; at += System.Globalization.StringInfo.GetNextTextElementLength(text, at))
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
