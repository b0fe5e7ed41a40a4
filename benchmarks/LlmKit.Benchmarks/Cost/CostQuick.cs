using System.Diagnostics;
using System.Globalization;

namespace LlmKit.Benchmarks;

/// <summary>
/// The rows of <see cref="CostCalculatorBenchmarks"/> measured with a <see cref="Stopwatch"/> in interleaved rounds (old,
/// new, old, new...), keeping each row's best round: on a loaded machine the ratios are steadier than a short
/// BenchmarkDotNet run's. Bytes per call from <see cref="GC.GetAllocatedBytesForCurrentThread"/>.
/// </summary>
public static class CostQuick
{
    /// <summary>Runs the measurement and prints ns and bytes per call, and the new/old ratio per case.</summary>
    /// <param name="rounds">How many interleaved rounds (each row keeps its best).</param>
    public static void Run(int rounds)
    {
        var bench = new CostCalculatorBenchmarks();
        bench.Setup();
        (string Name, Func<object> Old, Func<object> New)[] rows =
        [
            ("gpt-4o: input + output", bench.PlainOld, bench.Plain),
            ("claude-sonnet-4-5: five kinds", bench.CachedOld, bench.Cached),
            ("claude-sonnet-4-20250514: long context", bench.LongContextOld, bench.LongContext),
        ];
        const int calls = 1_000_000;
        var best = new double[rows.Length, 2];
        var bytes = new long[rows.Length, 2];
        for (int i = 0; i < rows.Length; i++)
        {
            best[i, 0] = best[i, 1] = double.MaxValue;
        }

        object? sink = null;
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < rows.Length; i++)
            {
                for (int side = 0; side < 2; side++)
                {
                    var call = side == 0 ? rows[i].Old : rows[i].New;
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    var clock = Stopwatch.StartNew();
                    for (int k = 0; k < calls; k++)
                    {
                        sink = call();
                    }

                    clock.Stop();
                    bytes[i, side] = (GC.GetAllocatedBytesForCurrentThread() - before) / calls;
                    best[i, side] = Math.Min(best[i, side], clock.Elapsed.TotalNanoseconds / calls);
                }
            }
        }

        GC.KeepAlive(sink);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"best of {rounds} interleaved rounds of {calls:N0} calls (the delegate call adds a few ns to both sides)"));
        for (int i = 0; i < rows.Length; i++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows[i].Name,-40} old {best[i, 0],6:0.0} ns {bytes[i, 0],4} B   new {best[i, 1],6:0.0} ns {bytes[i, 1],4} B   new/old {best[i, 1] / best[i, 0]:0.00}"));
        }
    }
}
