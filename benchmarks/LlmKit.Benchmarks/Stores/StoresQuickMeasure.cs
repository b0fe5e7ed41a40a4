using System.Diagnostics;
using System.Globalization;

namespace LlmKit.Benchmarks;

/// <summary>
/// Per-operation latency percentiles of the conversation stores on the seeded data of
/// <see cref="ConversationStoreBenchmarks"/> (<c>dotnet run -c Release -- stores-quick [rounds] [SQLite|PostgreSQL]</c>).
/// BenchmarkDotNet reports the mean of many operations per iteration; the goals of issue 6 are per-operation medians
/// (append p50), so this times every operation on its own with <see cref="Stopwatch"/> and prints p50, p90 and p99.
/// The stores are set up together and measured in interleaved rounds (append, list, search; store after store), so
/// load from other processes spreads over every row instead of landing on one. The page cache's dirty pages are written
/// before anything runs, and each run reports the host's CPU steal and iowait per round (see <see cref="HostCpuSample"/>).
/// </summary>
public static class StoresQuickMeasure
{
    private const int AppendsPerRound = 200;
    private const int ListsPerRound = 50;
    private const int SearchesPerRound = 25;
    private const int WarmUpSeconds = 4;
    private const int Operations = 5;

    public static void Run(int rounds, string? only)
    {
        string[] stores = only is null ? ["SQLite", "PostgreSQL"] : [only];
        var benchmarks = new ConversationStoreBenchmarks[stores.Length];
        var samples = new List<double>[stores.Length, Operations];
        var roundHosts = new List<string>();
        HostCpuSample measuredFrom = default, measuredTo = default;
        FlushDirtyPages();
        try
        {
            for (int s = 0; s < stores.Length; s++)
            {
                benchmarks[s] = new ConversationStoreBenchmarks { Store = stores[s] };
                benchmarks[s].Setup();
                for (int o = 0; o < Operations; o++)
                {
                    samples[s, o] = [];
                }

                // Warm-up: connection pools, prepared statements, the pages the first round touches, and the JIT. The
                // runtime compiles a method first without optimizations and recompiles it optimized only after 30 calls
                // and 100 ms without new first calls, so a count-based warm-up of a few dozen calls measured unoptimized
                // Npgsql and store code (p50 0.3 to 0.4 ms higher than with tiering off). Warm up for a time instead.
                long warmUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency * WarmUpSeconds;
                while (Stopwatch.GetTimestamp() < warmUntil)
                {
                    Time(benchmarks[s], 0, 50, null);
                    Time(benchmarks[s], 1, 10, null);
                    Time(benchmarks[s], 2, 5, null);
                    Time(benchmarks[s], 3, 50, null);
                    Time(benchmarks[s], 4, 50, null);
                }
            }

            measuredFrom = HostCpuSample.Read();
            for (int round = 0; round < rounds; round++)
            {
                var roundFrom = HostCpuSample.Read();
                for (int s = 0; s < stores.Length; s++)
                {
                    Time(benchmarks[s], 0, AppendsPerRound, samples[s, 0]);
                    Time(benchmarks[s], 1, ListsPerRound, samples[s, 1]);
                    Time(benchmarks[s], 2, SearchesPerRound, samples[s, 2]);
                    Time(benchmarks[s], 3, AppendsPerRound, samples[s, 3]);
                    Time(benchmarks[s], 4, AppendsPerRound, samples[s, 4]);
                }

                var roundTo = HostCpuSample.Read();
                roundHosts.Add(string.Create(CultureInfo.InvariantCulture, $"{roundTo.StealPercentSince(roundFrom):0.0}/{roundTo.IoWaitPercentSince(roundFrom):0.0}"));
            }

            measuredTo = HostCpuSample.Read();
        }
        finally
        {
            foreach (var b in benchmarks)
            {
                b?.Cleanup();
            }
        }

        Console.WriteLine($"// {rounds} rounds, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

        // What the host did meanwhile: a latency that moves with the hypervisor's steal or the disk's queue is the host's.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// host during the measured rounds: CPU steal {measuredTo.StealPercentSince(measuredFrom):0.0}%, iowait {measuredTo.IoWaitPercentSince(measuredFrom):0.0}% (per round, steal/iowait %: {string.Join(", ", roundHosts)})"));
        Console.WriteLine("| store | operation | n | p50 | p90 | p99 | mean |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        string[] names = ["append one message", "list page (50, tenant filter)", "full-text search (top 20)", "commit floor (one-row INSERT, not a store call)", "append one message to a 10,000-message conversation"];
        for (int s = 0; s < stores.Length; s++)
        {
            for (int o = 0; o < Operations; o++)
            {
                var values = samples[s, o];
                values.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {stores[s]} | {names[o]} | {values.Count} | {Percentile(values, 0.5):0.000} ms | {Percentile(values, 0.9):0.000} ms | {Percentile(values, 0.99):0.000} ms | {values.Average():0.000} ms |"));
            }
        }

        // The append's part above one durable commit on this host: what the store and its statement add, with the disk's
        // flush (which moves with the hour on a shared virtual disk) taken out.
        for (int s = 0; s < stores.Length; s++)
        {
            double margin = Percentile(samples[s, 0], 0.5) - Percentile(samples[s, 3], 0.5);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// {stores[s]}: append p50 minus commit floor p50 = {margin:0.000} ms"));
        }
    }

    /// <summary>
    /// Writes the operating system's dirty pages to disk before anything is measured. Seeding or copying the data set just
    /// before a run leaves up to gigabytes of it in the page cache; its writeback then queues in front of every commit's
    /// flush for the first half minute and takes CPU from the server (alternating runs with and without this: 7 and 5 of
    /// 8 appends under 1 ms).
    /// </summary>
    private static void FlushDirtyPages()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var sync = System.Diagnostics.Process.Start("sync");
        sync?.WaitForExit();
    }

    private static void Time(ConversationStoreBenchmarks benchmark, int operation, int count, List<double>? into)
    {
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            switch (operation)
            {
                case 0:
                    benchmark.Append().GetAwaiter().GetResult();
                    break;
                case 1:
                    benchmark.ListPage().GetAwaiter().GetResult();
                    break;
                case 3:
                    benchmark.CommitFloor().GetAwaiter().GetResult();
                    break;
                case 4:
                    benchmark.AppendLong().GetAwaiter().GetResult();
                    break;
                default:
                    benchmark.Search().GetAwaiter().GetResult();
                    break;
            }

            into?.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
