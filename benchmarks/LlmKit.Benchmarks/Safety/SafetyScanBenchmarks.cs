using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;

namespace LlmKit.Benchmarks;

/// <summary>
/// PII and prompt-injection scanning of ~1 MB of mixed text (<see cref="SafetyBenchmarkText"/>) in one pass: the
/// built-in recognizer alone, and the whole guard evaluation with the recommended policy (recognizers, decisions,
/// redaction, audit hashes). For scale, a baseline of eight separate compiled regular expressions (email, phone,
/// card, IBAN, SSN, IPv4, URL, one override phrase) that only match, without any validation. MB/s is UTF-8 bytes of
/// the text per second.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SafetyThroughputConfig))]
public class SafetyScanBenchmarks
{
    private static readonly Regex[] Baseline =
    [
        new(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", RegexOptions.Compiled),
        new(@"\+?\d[\d ()-]{7,}\d", RegexOptions.Compiled),
        new(@"\b(?:\d[ -]?){13,19}\b", RegexOptions.Compiled),
        new(@"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?\b", RegexOptions.Compiled),
        new(@"\b\d{3}-\d{2}-\d{4}\b", RegexOptions.Compiled),
        new(@"\b(?:\d{1,3}\.){3}\d{1,3}\b", RegexOptions.Compiled),
        new(@"https?://[^\s<>""]+", RegexOptions.Compiled),
        new(@"ignore\s+(?:all\s+)?(?:previous|prior|above)\s+instructions", RegexOptions.Compiled | RegexOptions.IgnoreCase),
    ];

    private readonly List<SafetyFinding> _findings = new(4096);
    private string _text = string.Empty;
    private SafetyGuard _guard = null!;

    /// <summary>Builds the text and the guard.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _text = SafetyBenchmarkText.Text;
        var options = new LlmKitOptions();
        options.Safety.Input = GuardPolicyOptions.CreateRecommended();
        _guard = new SafetyGuard(Options.Create(options), [], [], []);

        // A short run calls a 20-50 ms method only a handful of times, too few for tiered compilation to replace
        // its quick first code; a host scanning every request runs the optimised code. Warm up to it first.
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 35; i++)
            {
                BuiltInRecognizer();
                GuardEvaluation();
                RegexBaseline();
            }

            Thread.Sleep(500);
        }
    }

    /// <summary>The built-in recognizer: every PII type and injection signal in one pass.</summary>
    /// <returns>The number of findings.</returns>
    [Benchmark(Baseline = true, Description = "built-in recognizer, 1 MB mixed text")]
    public int BuiltInRecognizer()
    {
        _findings.Clear();
        BuiltInSafetyRecognizer.Instance.Analyze(_text, _findings);
        return _findings.Count;
    }

    /// <summary>The guard evaluation with the recommended policy: recognizers, decisions, redaction, hashes.</summary>
    /// <returns>The length of the redacted text.</returns>
    [Benchmark(Description = "SafetyGuard.EvaluateAsync, recommended policy")]
    public int GuardEvaluation() => _guard.EvaluateAsync(_text, GuardDirection.Input).GetAwaiter().GetResult().Text.Length;

    /// <summary>Eight separate compiled regular expressions, matching only.</summary>
    /// <returns>The number of matches.</returns>
    [Benchmark(Description = "8 compiled regexes, match only (baseline)")]
    public int RegexBaseline()
    {
        int count = 0;
        foreach (var regex in Baseline)
        {
            for (var m = regex.Match(_text); m.Success; m = m.NextMatch())
            {
                count++;
            }
        }

        return count;
    }
}
