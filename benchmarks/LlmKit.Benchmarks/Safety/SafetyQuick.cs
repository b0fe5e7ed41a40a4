using System.Diagnostics;
using System.Globalization;

namespace LlmKit.Benchmarks;

/// <summary>A quick Stopwatch measurement of the safety scanner on <see cref="SafetyBenchmarkText"/> (best of ten runs).</summary>
public static class SafetyQuick
{
    /// <summary>Runs the measurement and prints MB/s and findings per type.</summary>
    public static void Run()
    {
        var bench = new SafetyScanBenchmarks();
        bench.Setup();
        double megabytes = SafetyBenchmarkText.Utf8Bytes / 1e6;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"text: {megabytes:0.000} MB UTF-8, {SafetyBenchmarkText.Text.Length} chars"));
        Measure("built-in recognizer", bench.BuiltInRecognizer);
        Measure("guard evaluation", bench.GuardEvaluation);
        Measure("8 regexes baseline", bench.RegexBaseline);
        string text = SafetyBenchmarkText.Text;
        Measure("normalizer only", () =>
        {
            var list = new List<SafetyFinding>();
            if (TextNormalizer.TryNormalize(text, list, out var normalized))
            {
                normalized.Dispose();
                return 1;
            }

            return 0;
        });
        Measure("scanner only (no normalizing)", () =>
        {
            var list = new List<SafetyFinding>();
            SafetyScanner.Scan(text, list);
            return list.Count;
        });
        var findings = new List<SafetyFinding>();
        BuiltInSafetyRecognizer.Instance.Analyze(SafetyBenchmarkText.Text, findings);
        foreach (var group in findings.GroupBy(f => f.Type).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {group.Key,-18} {group.Count()}"));
        }

        void Measure(string name, Func<int> action)
        {
            // Enough calls for tiered compilation to reach its optimised code.
            for (int i = 0; i < 40; i++)
            {
                action();
            }

            double best = double.MaxValue;
            for (int i = 0; i < 10; i++)
            {
                var clock = Stopwatch.StartNew();
                action();
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-24} {megabytes / best,8:0.0} MB/s  {best * 1000,8:0.00} ms"));
        }
    }
}
