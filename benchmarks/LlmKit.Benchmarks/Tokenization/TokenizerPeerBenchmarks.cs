using BenchmarkDotNet.Attributes;
using SharpToken;
using MLTiktokenTokenizer = Microsoft.ML.Tokenizers.TiktokenTokenizer;

namespace LlmKit.Benchmarks;

/// <summary>
/// LlmKit's tokenizer, Microsoft.ML.Tokenizers' <c>TiktokenTokenizer</c> (3.0.0), SharpToken (2.0.6) and npm tiktoken
/// (1.0.22, in Node, when Node is installed; see <see cref="NpmTiktokenProcess"/>) counting the
/// same text: the ~3,000 documents of the 10 MB mixed <see cref="BenchmarkCorpus"/>, one by one. The setup checks that
/// the three totals are equal (the corpus has no special-token text, lone surrogates or astral letters before a contraction,
/// where Microsoft.ML.Tokenizers differs; see the conformance tests).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class TokenizerPeerBenchmarks
{
    private string[] _documents = [];
    private TiktokenTokenizer _llmKit = TiktokenTokenizer.O200kBase;
    private MLTiktokenTokenizer? _ml;
    private GptEncoding? _sharpToken;
    private NpmTiktokenProcess? _node;
    private string? _nodeMissing;

    /// <summary>Gets or sets the encoding.</summary>
    [Params("o200k_base", "cl100k_base")]
    public string Encoding { get; set; } = "o200k_base";

    /// <summary>
    /// Gets or sets a value indicating whether <see cref="Setup"/> starts npm tiktoken's Node process. Defaults to
    /// <see langword="true"/>; <c>tokenizer-peers-quick</c> runs its own.
    /// </summary>
    public bool StartNode { get; set; } = true;

    /// <summary>Loads the corpus and the three tokenizers, and checks that they count the same total.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string corpus = BenchmarkCorpus.Load();
        _documents = corpus.Split(BenchmarkCorpus.Separator);
        ThroughputConfig.CorpusBytes = System.Text.Encoding.UTF8.GetByteCount(corpus);
        _llmKit = TiktokenTokenizer.GetEncoding(Encoding);
        _ml = MLTiktokenTokenizer.CreateForEncoding(Encoding);
        _sharpToken = GptEncoding.GetEncoding(Encoding);
        (int llmKit, int ml, int sharpToken) = (LlmKit(), MicrosoftML(), SharpToken());
        Console.WriteLine($"// {Encoding} totals: LlmKit {llmKit}, Microsoft.ML.Tokenizers {ml}, SharpToken {sharpToken}");
        if (llmKit != ml || llmKit != sharpToken)
        {
            throw new InvalidOperationException($"The tokenizers disagree on {Encoding}: LlmKit {llmKit}, Microsoft.ML.Tokenizers {ml}, SharpToken {sharpToken}.");
        }

        // npm tiktoken is an extra: without Node its row fails alone and the others are measured.
        if (!StartNode)
        {
            _nodeMissing = "not started (StartNode is false)";
        }
        else if (NpmTiktokenProcess.TryStart(corpus, out _node, out _nodeMissing))
        {
            Console.WriteLine($"// {Encoding} npm tiktoken ({_node!.Description}): {NpmTiktoken()} tokens");
        }
        else
        {
            Console.WriteLine($"// npm tiktoken not measured: {_nodeMissing}");
        }
    }

    /// <summary>Ends the Node process.</summary>
    [GlobalCleanup]
    public void Cleanup() => _node?.Dispose();

    /// <summary>LlmKit's <see cref="TiktokenTokenizer.CountTokens(ReadOnlySpan{char})"/>.</summary>
    /// <returns>The token count.</returns>
    [Benchmark(Baseline = true)]
    public int LlmKit()
    {
        int total = 0;
        foreach (string document in _documents)
        {
            total += _llmKit.CountTokens(document);
        }

        return total;
    }

    /// <summary>Microsoft.ML.Tokenizers' <c>TiktokenTokenizer.CountTokens</c>.</summary>
    /// <returns>The token count.</returns>
    [Benchmark]
    public int MicrosoftML()
    {
        int total = 0;
        foreach (string document in _documents)
        {
            total += _ml!.CountTokens(document);
        }

        return total;
    }

    /// <summary>
    /// npm tiktoken 1.0.22 in Node (<c>encode_ordinary(document).length</c> per document), driven through a pipe: one line
    /// each way per count of the corpus, next to about a second of counting. Allocations are Node's, not shown.
    /// </summary>
    /// <returns>The token count.</returns>
    [Benchmark(Description = "npm tiktoken (Node)")]
    public int NpmTiktoken()
        => _node is null ? throw new InvalidOperationException($"npm tiktoken is not measured: {_nodeMissing}") : _node.Count(Encoding).Tokens;

    /// <summary>SharpToken's <c>GptEncoding.CountTokens</c>.</summary>
    /// <returns>The token count.</returns>
    [Benchmark]
    public int SharpToken()
    {
        int total = 0;
        foreach (string document in _documents)
        {
            total += _sharpToken!.CountTokens(document);
        }

        return total;
    }
}
