using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace LlmKit.Tests.Safety;

/// <summary>
/// Precision and recall per finding type on the labelled corpus, under the recommended policy
/// (<see cref="GuardPolicyOptions.CreateRecommended"/>: PII at score 0.5, prompt injection at 0.7). A PII value counts
/// as found when a finding of its type overlaps it; a finding that overlaps no expected value of its type is a false
/// positive. Prompt injection is judged per text. The table printed here is the one in the README.
/// </summary>
public class SafetyCorpusTests(ITestOutputHelper output)
{
    private static SafetyGuard CreateGuard()
    {
        var options = new LlmKitOptions();
        options.Safety.Input = GuardPolicyOptions.CreateRecommended();
        return new SafetyGuard(Options.Create(options), [], [], []);
    }

    [Fact]
    public void Corpus_ExpandedPlaceholders_HaveValidCheckDigitsByIndependentComputation()
    {
        // Known published values: the ECBS example IBAN, Visa test card, JPMorgan Chase routing number.
        Assert.Equal("DE89 3704 0044 0532 0130 00", SafetyCorpus.Iban("DE:370400440532013000", grouped: true));
        Assert.Equal("4111 1111 1111 1111", SafetyCorpus.WithLuhn("4111 1111 1111 111"));
        Assert.Equal("021000021", SafetyCorpus.WithAba("02100002"));
        Assert.True(SafetyCorpus.Load().Count >= 140);
    }

    [Fact]
    public async Task Corpus_RecommendedPolicy_MeetsPrecisionAndRecallPerType()
    {
        var (stats, misses) = await MeasureAsync("safety-corpus.json");

        // Checksum-validated types must be near perfect; context-scored types and injection get some slack.
        foreach (var type in new[] { "EMAIL", "CREDIT_CARD", "IBAN", "US_SSN", "CRYPTO_WALLET", "ABA_ROUTING", "IP_ADDRESS", "URL" })
        {
            var (tp, fp, fn) = stats[type];
            Assert.True(Recall(tp, fn) >= 0.95 && Precision(tp, fp) >= 0.95, $"{type}: precision {Precision(tp, fp):0.00}, recall {Recall(tp, fn):0.00}\n{misses}");
        }

        foreach (var type in new[] { "PHONE", "DATE_OF_BIRTH", "PASSPORT", "DRIVER_LICENSE" })
        {
            var (tp, fp, fn) = stats[type];
            Assert.True(Recall(tp, fn) >= 0.85 && Precision(tp, fp) >= 0.85, $"{type}: precision {Precision(tp, fp):0.00}, recall {Recall(tp, fn):0.00}\n{misses}");
        }

        var (itp, ifp, ifn) = stats[SafetyFindingTypes.PromptInjection];
        Assert.True(Recall(itp, ifn) >= 0.9 && Precision(itp, ifp) >= 0.9, $"PROMPT_INJECTION: precision {Precision(itp, ifp):0.00}, recall {Recall(itp, ifn):0.00}\n{misses}");
    }

    /// <summary>
    /// The held-out texts were written after the recognizers and never used to change them; their floors were set
    /// before the first run: PII overall precision 0.8 and recall 0.7, prompt injection precision and recall 0.5.
    /// </summary>
    [Fact]
    public async Task Holdout_RecommendedPolicy_MeetsFloorsSetBeforeTheFirstRun()
    {
        var (stats, misses) = await MeasureAsync("safety-holdout.json");

        var pii = stats.Where(s => s.Key != SafetyFindingTypes.PromptInjection).Select(s => s.Value).ToList();
        int tp = pii.Sum(s => s.Tp), fp = pii.Sum(s => s.Fp), fn = pii.Sum(s => s.Fn);
        Assert.True(Precision(tp, fp) >= 0.8 && Recall(tp, fn) >= 0.7, $"PII: precision {Precision(tp, fp):0.00}, recall {Recall(tp, fn):0.00}\n{misses}");
        var (itp, ifp, ifn) = stats[SafetyFindingTypes.PromptInjection];
        Assert.True(Precision(itp, ifp) >= 0.5 && Recall(itp, ifn) >= 0.5, $"PROMPT_INJECTION: precision {Precision(itp, ifp):0.00}, recall {Recall(itp, ifn):0.00}\n{misses}");
    }

    private async Task<(SortedDictionary<string, (int Tp, int Fp, int Fn)> Stats, string Misses)> MeasureAsync(string file)
    {
        var guard = CreateGuard();
        var stats = new SortedDictionary<string, (int Tp, int Fp, int Fn)>(StringComparer.Ordinal);
        void Count(string type, int tp, int fp, int fn)
        {
            var s = stats.TryGetValue(type, out var v) ? v : default;
            stats[type] = (s.Tp + tp, s.Fp + fp, s.Fn + fn);
        }

        var misses = new StringBuilder();
        foreach (var entry in SafetyCorpus.Load(file))
        {
            var evaluation = await guard.EvaluateAsync(entry.Text, GuardDirection.Input);
            var acted = evaluation.ActedOn;

            bool flaggedInjection = acted.Any(f => f.Type == SafetyFindingTypes.PromptInjection);
            Count(SafetyFindingTypes.PromptInjection, entry.Injection && flaggedInjection ? 1 : 0, !entry.Injection && flaggedInjection ? 1 : 0, entry.Injection && !flaggedInjection ? 1 : 0);
            if (entry.Injection != flaggedInjection)
            {
                string detail = string.Join(", ", acted.Where(f => f.Type == SafetyFindingTypes.PromptInjection).Select(f => $"{f.Recognizer} {f.Score:0.00} at {f.Start}+{f.Length}"));
                misses.AppendLine(CultureInfo.InvariantCulture, $"injection {(entry.Injection ? "missed" : "false positive")} [{detail}]: {entry.Text}");
            }

            var expectedSpans = entry.Pii.SelectMany(p => p.Value.Select(v => (Type: p.Key, Start: entry.Text.IndexOf(v, StringComparison.Ordinal), v.Length))).ToList();
            Assert.All(expectedSpans, s => Assert.True(s.Start >= 0, $"expected value not in text: {entry.Text}"));
            foreach (var (type, start, length) in expectedSpans)
            {
                bool found = acted.Any(f => f.Type == type && f.Start < start + length && start < f.Start + f.Length);
                Count(type, found ? 1 : 0, 0, found ? 0 : 1);
                if (!found)
                {
                    misses.AppendLine(CultureInfo.InvariantCulture, $"{type} missed: {entry.Text}");
                }
            }

            foreach (var f in acted.Where(f => f.Type != SafetyFindingTypes.PromptInjection))
            {
                bool expected = expectedSpans.Any(s => s.Type == f.Type && f.Start < s.Start + s.Length && s.Start < f.Start + f.Length);
                if (!expected)
                {
                    Count(f.Type, 0, 1, 0);
                    misses.AppendLine(CultureInfo.InvariantCulture, $"{f.Type} false positive ({f.Recognizer}, {f.Score:0.00}) '{entry.Text.Substring(f.Start, f.Length)}': {entry.Text}");
                }
            }
        }

        var table = new StringBuilder("| type | positives | found | false positives | precision | recall |\n|---|---:|---:|---:|---:|---:|\n");
        foreach (var (type, (tp, fp, fn)) in stats)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {type} | {tp + fn} | {tp} | {fp} | {Precision(tp, fp):0.00} | {Recall(tp, fn):0.00} |");
        }

        int allTp = stats.Values.Sum(s => s.Tp), allFp = stats.Values.Sum(s => s.Fp), allFn = stats.Values.Sum(s => s.Fn);
        table.AppendLine(CultureInfo.InvariantCulture, $"| all | {allTp + allFn} | {allTp} | {allFp} | {Precision(allTp, allFp):0.00} | {Recall(allTp, allFn):0.00} |");
        output.WriteLine(file);
        output.WriteLine(table.ToString());
        output.WriteLine(misses.ToString());
        return (stats, misses.ToString());
    }

    private static double Precision(int tp, int fp) => tp + fp == 0 ? 1 : (double)tp / (tp + fp);

    private static double Recall(int tp, int fn) => tp + fn == 0 ? 1 : (double)tp / (tp + fn);
}
