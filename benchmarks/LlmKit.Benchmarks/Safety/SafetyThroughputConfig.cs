using BenchmarkDotNet.Configs;

namespace LlmKit.Benchmarks;

/// <summary>Adds a MB/s column for the safety benchmarks: the UTF-8 bytes of <see cref="SafetyBenchmarkText"/> divided by the mean time of one operation.</summary>
public sealed class SafetyThroughputConfig : ManualConfig
{
    /// <summary>Initializes a new instance of the <see cref="SafetyThroughputConfig"/> class.</summary>
    public SafetyThroughputConfig() => AddColumn(new MegabytesPerSecondColumn(static () => CorpusBytes));

    /// <summary>Gets or sets the corpus size in UTF-8 bytes (the summary is computed in the host process, which runs no setup).</summary>
    public static long CorpusBytes { get; set; } = SafetyBenchmarkText.Utf8Bytes;
}
