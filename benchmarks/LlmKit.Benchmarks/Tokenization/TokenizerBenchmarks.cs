using System.Text;
using BenchmarkDotNet.Attributes;

namespace LlmKit.Benchmarks;

/// <summary>
/// Token counting throughput on the 10 MB mixed <see cref="BenchmarkCorpus"/>, as one text and as its ~3,000
/// documents one by one, for both encodings; encoding for comparison. The MB/s column divides the corpus's UTF-8
/// size by the mean time. Compare with <c>node tiktoken-throughput.mjs corpus.txt</c> (npm tiktoken) on the same file.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class TokenizerBenchmarks
{
    private string _corpus = string.Empty;
    private string[] _documents = [];

    /// <summary>Gets or sets the encoding.</summary>
    [Params("o200k_base", "cl100k_base")]
    public string Encoding { get; set; } = "o200k_base";

    private TiktokenTokenizer Tokenizer { get; set; } = TiktokenTokenizer.O200kBase;

    /// <summary>Loads the corpus (from <c>LLMKIT_BENCH_CORPUS</c> when set) and the tokenizer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _corpus = BenchmarkCorpus.Load();
        _documents = _corpus.Split(BenchmarkCorpus.Separator);
        Tokenizer = TiktokenTokenizer.GetEncoding(Encoding);
        ThroughputConfig.CorpusBytes = System.Text.Encoding.UTF8.GetByteCount(_corpus);
    }

    /// <summary>Counts the whole corpus as one text.</summary>
    /// <returns>The token count.</returns>
    [Benchmark(Baseline = true)]
    public int CountWholeCorpus() => Tokenizer.CountTokens(_corpus);

    /// <summary>Counts each document of the corpus.</summary>
    /// <returns>The token count.</returns>
    [Benchmark]
    public int CountDocuments()
    {
        int total = 0;
        foreach (string document in _documents)
        {
            total += Tokenizer.CountTokens(document);
        }

        return total;
    }

    /// <summary>Encodes the whole corpus into ids.</summary>
    /// <returns>The number of ids.</returns>
    [Benchmark]
    public int EncodeWholeCorpus() => Tokenizer.EncodeToArray(_corpus).Length;
}
