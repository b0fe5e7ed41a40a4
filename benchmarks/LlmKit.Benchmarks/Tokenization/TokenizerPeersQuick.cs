using System.Diagnostics;
using System.Globalization;

namespace LlmKit.Benchmarks;

/// <summary>
/// <c>tokenizer-peers-quick [rounds]</c>: the three counts of <see cref="TokenizerPeerBenchmarks"/> and npm tiktoken's in
/// Node (<see cref="NpmTiktokenProcess"/>, when Node is there), interleaved round by round and the best of the rounds
/// kept, which holds up better than BenchmarkDotNet's means on a machine shared with other builds.
/// </summary>
public static class TokenizerPeersQuick
{
    /// <summary>Measures both encodings and prints MB/s per tokenizer and the ratios to LlmKit.</summary>
    /// <param name="rounds">The rounds.</param>
    public static void Run(int rounds)
    {
        // npm tiktoken runs in Node, started once for the whole run; without Node the .NET rows are measured alone.
        NpmTiktokenProcess.TryStart(BenchmarkCorpus.Load(), out var node, out string? why);
        Console.WriteLine(node is null ? $"npm tiktoken: not measured ({why})" : $"npm tiktoken: {node.Description}");
        using var _ = node;
        foreach (string encoding in new[] { "o200k_base", "cl100k_base" })
        {
            var benchmarks = new TokenizerPeerBenchmarks { Encoding = encoding, StartNode = false };
            benchmarks.Setup();
            double megabytes = ThroughputConfig.CorpusBytes / 1e6;
            var runs = new List<(string Name, Func<(double Seconds, int Tokens)> Count)>
            {
                ("LlmKit", () => Timed(benchmarks.LlmKit)),
                ("Microsoft.ML.Tokenizers", () => Timed(benchmarks.MicrosoftML)),
                ("SharpToken", () => Timed(benchmarks.SharpToken)),
            };
            if (node is not null)
            {
                runs.Add(("npm tiktoken (Node)", () =>
                {
                    var (elapsed, tokens) = node.Count(encoding);
                    return (elapsed.TotalSeconds, tokens);
                }));
            }

            var best = runs.ToDictionary(r => r.Name, _ => double.MaxValue);
            var totals = new Dictionary<string, int>();
            for (int round = 0; round < rounds; round++)
            {
                foreach (var (name, count) in runs)
                {
                    var (seconds, tokens) = count();
                    best[name] = Math.Min(best[name], seconds);
                    totals[name] = tokens;
                }
            }

            foreach (var (name, _) in runs)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{encoding} {name,-24} {megabytes / best[name],7:0.0} MB/s {best[name] * 1000,8:0} ms  {best[name] / best["LlmKit"],5:0.00}x LlmKit's time  {totals[name]} tokens{(totals[name] == totals["LlmKit"] ? string.Empty : "  (differs from LlmKit's total)")}"));
            }
        }
    }

    private static (double Seconds, int Tokens) Timed(Func<int> count)
    {
        var clock = Stopwatch.StartNew();
        int tokens = count();
        return (clock.Elapsed.TotalSeconds, tokens);
    }
}
