using System.Diagnostics;
using System.Globalization;

namespace LlmKit.Benchmarks;

/// <summary>
/// <c>tokenizer-peers-quick [rounds]</c>: the three counts of <see cref="TokenizerPeerBenchmarks"/>, interleaved round by
/// round and the best of the rounds kept, which holds up better than BenchmarkDotNet's means on a machine shared with
/// other builds.
/// </summary>
public static class TokenizerPeersQuick
{
    /// <summary>Measures both encodings and prints MB/s per tokenizer and the ratios to LlmKit.</summary>
    /// <param name="rounds">The rounds.</param>
    public static void Run(int rounds)
    {
        foreach (string encoding in new[] { "o200k_base", "cl100k_base" })
        {
            var benchmarks = new TokenizerPeerBenchmarks { Encoding = encoding };
            benchmarks.Setup();
            double megabytes = ThroughputConfig.CorpusBytes / 1e6;
            var runs = new (string Name, Func<int> Count)[] { ("LlmKit", benchmarks.LlmKit), ("Microsoft.ML.Tokenizers", benchmarks.MicrosoftML), ("SharpToken", benchmarks.SharpToken) };
            var best = runs.ToDictionary(r => r.Name, _ => double.MaxValue);
            for (int round = 0; round < rounds; round++)
            {
                foreach (var (name, count) in runs)
                {
                    var clock = Stopwatch.StartNew();
                    count();
                    best[name] = Math.Min(best[name], clock.Elapsed.TotalSeconds);
                }
            }

            foreach (var (name, _) in runs)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{encoding} {name,-24} {megabytes / best[name],7:0.0} MB/s {best[name] * 1000,8:0} ms  {best[name] / best["LlmKit"],5:0.00}x LlmKit's time"));
            }
        }
    }
}
