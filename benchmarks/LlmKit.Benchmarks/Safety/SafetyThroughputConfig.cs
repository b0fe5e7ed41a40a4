using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace LlmKit.Benchmarks;

/// <summary>Adds a MB/s column for the safety benchmarks: the UTF-8 bytes of <see cref="SafetyBenchmarkText"/> divided by the mean time of one operation.</summary>
public sealed class SafetyThroughputConfig : ManualConfig
{
    /// <summary>Initializes a new instance of the <see cref="SafetyThroughputConfig"/> class.</summary>
    public SafetyThroughputConfig() => AddColumn(new MegabytesPerSecondColumn());

    /// <summary>Gets or sets the corpus size in UTF-8 bytes (the summary is computed in the host process, which runs no setup).</summary>
    public static long CorpusBytes { get; set; } = SafetyBenchmarkText.Utf8Bytes;

    private sealed class MegabytesPerSecondColumn : IColumn
    {
        public string Id => "MBps";

        public string ColumnName => "MB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "UTF-8 megabytes (10^6 bytes) of corpus processed per second";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } statistics)
            {
                return "-";
            }

            double seconds = statistics.Mean / 1e9;
            return (CorpusBytes / 1e6 / seconds).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
