using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;
using Xunit.Sdk;
using MLTiktokenTokenizer = Microsoft.ML.Tokenizers.TiktokenTokenizer;

namespace LlmKit.Tests.Tokenization;

/// <summary>
/// The conformance corpus and its in-process reference: Microsoft.ML.Tokenizers' <c>TiktokenTokenizer</c> (3.0.0, with the
/// rank files of its <c>Data.O200kBase</c> and <c>Data.Cl100kBase</c> packages), which replaces the npm <c>tiktoken</c>
/// process the tests used to start.
/// </summary>
/// <remarks>
/// The corpus is <see cref="CorpusSize"/> FsCheck-generated texts from a seed (the environment variable
/// <c>LLMKIT_TOKENIZER_SEED</c> when set, else a fresh one, printed by the tests and in their failure messages), plus
/// <see cref="TokenizerCorpus.EveryCodePoint"/>. The reference ids are computed once per encoding, on first use, from
/// <see cref="WellFormed"/> texts: Microsoft.ML.Tokenizers encodes a lone surrogate as its three "generalized UTF-8" bytes
/// where tiktoken (and LlmKit) encode it as U+FFFD, so the reference sees the text with each lone surrogate already
/// replaced by U+FFFD, which is what tiktoken tokenizes. The difference itself is asserted by its own test.
/// </remarks>
public sealed class MLTokenizersReferenceFixture
{
    /// <summary>The number of generated texts.</summary>
    public const int CorpusSize = 100_000;

    private readonly ConcurrentDictionary<string, Lazy<Expected>> _expected = new(StringComparer.Ordinal);
    private readonly IMessageSink _sink;

    /// <summary>Initializes a new instance of the <see cref="MLTokenizersReferenceFixture"/> class.</summary>
    /// <param name="sink">Receives diagnostic messages.</param>
    public MLTokenizersReferenceFixture(IMessageSink sink)
    {
        _sink = sink;
        string? configured = Environment.GetEnvironmentVariable("LLMKIT_TOKENIZER_SEED");
        Seed = string.IsNullOrWhiteSpace(configured)
            ? (ulong)Random.Shared.NextInt64(long.MaxValue)
            : ulong.Parse(configured, CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        Generated = TokenizerCorpus.Generate(Seed, CorpusSize);
        CodePointSweep = TokenizerCorpus.EveryCodePoint();
        Log($"generated {Generated.Length} texts ({Generated.Sum(t => (long)t.Length)} chars) with {SeedNote} and {CodePointSweep.Count} sweep texts in {clock.ElapsedMilliseconds} ms");
    }

    /// <summary>Gets the seed of the generated texts.</summary>
    public ulong Seed { get; }

    /// <summary>Gets the generated texts.</summary>
    public string[] Generated { get; }

    /// <summary>Gets the texts of the code point sweep.</summary>
    public IReadOnlyList<string> CodePointSweep { get; }

    /// <summary>Gets a line to print with results and failures: the seed and how to replay it.</summary>
    public string SeedNote => $"seed {Seed} (replay with LLMKIT_TOKENIZER_SEED={Seed})";

    /// <summary>Gets Microsoft.ML.Tokenizers' tokenizer of an encoding.</summary>
    /// <param name="encoding">The encoding name.</param>
    /// <returns>The reference tokenizer.</returns>
    public static MLTiktokenTokenizer Tokenizer(string encoding) => encoding switch
    {
        TokenizerEncodings.O200kBase => s_o200k.Value,
        TokenizerEncodings.Cl100kBase => s_cl100k.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, null),
    };

    /// <summary>Gets the reference ids of an encoding, computed on first use.</summary>
    /// <param name="encoding">The encoding name.</param>
    /// <returns>The ids of <see cref="Generated"/> and <see cref="CodePointSweep"/>.</returns>
    public Expected For(string encoding) => _expected.GetOrAdd(encoding, e => new Lazy<Expected>(() => Encode(e))).Value;

    private static readonly Lazy<MLTiktokenTokenizer> s_o200k = new(() => MLTiktokenTokenizer.CreateForEncoding(TokenizerEncodings.O200kBase));
    private static readonly Lazy<MLTiktokenTokenizer> s_cl100k = new(() => MLTiktokenTokenizer.CreateForEncoding(TokenizerEncodings.Cl100kBase));

    private Expected Encode(string encoding)
    {
        var clock = Stopwatch.StartNew();
        var tokenizer = Tokenizer(encoding);
        var expected = new Expected(
            Generated.Select(t => tokenizer.EncodeToIds(WellFormed(t)).ToArray()).ToArray(),
            CodePointSweep.Select(t => tokenizer.EncodeToIds(WellFormed(t)).ToArray()).ToArray());
        Log($"Microsoft.ML.Tokenizers encoded the corpus with {encoding} in {clock.ElapsedMilliseconds} ms");
        return expected;
    }

    /// <summary>Returns the text with every lone surrogate replaced by U+FFFD, as UTF-8 encoding does.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The well-formed text (the same instance when it has no lone surrogate).</returns>
    public static string WellFormed(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsSurrogate(text[i]))
            {
                return System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(text));
            }
        }

        return text;
    }

    /// <summary>Returns whether a text has a lone (unpaired) surrogate.</summary>
    /// <param name="text">The text.</param>
    /// <returns><see langword="true"/> when it has one.</returns>
    public static bool HasLoneSurrogate(string text) => !string.Equals(WellFormed(text), text, StringComparison.Ordinal);

    private void Log(string message) => _sink.OnMessage(new DiagnosticMessage("[tokenizer conformance] " + message));

    /// <summary>The reference ids of one encoding.</summary>
    /// <param name="Generated">The ids of each generated text.</param>
    /// <param name="CodePointSweep">The ids of each sweep text.</param>
    public sealed record Expected(int[][] Generated, int[][] CodePointSweep);
}
