using BenchmarkDotNet.Configs;

namespace LlmKit.Benchmarks;

/// <summary>Adds a MB/s column: the corpus's UTF-8 bytes divided by the mean time of one operation.</summary>
public sealed class ThroughputConfig : ManualConfig
{
    /// <summary>Initializes a new instance of the <see cref="ThroughputConfig"/> class.</summary>
    public ThroughputConfig() => AddColumn(new MegabytesPerSecondColumn(static () => CorpusBytes));

    /// <summary>Gets or sets the corpus size in UTF-8 bytes (the summary is computed in the host process, which runs no setup).</summary>
    public static long CorpusBytes { get; set; } = System.Text.Encoding.UTF8.GetByteCount(BenchmarkCorpus.Load());
}
