using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace LlmKit.Tests.Safety;

/// <summary>
/// Precision and recall per type on Presidio's recognizer test cases (MIT; see PRESIDIO-CASES-PROVENANCE.md) under
/// the recommended policy. A case is judged only for its own type: an expected span counts as found when an acted-on
/// finding of that type overlaps it; an acted-on finding of that type overlapping no expected span is a false
/// positive. The floors are the figures measured when the test was written (the table in the README).
/// </summary>
public class PresidioCasesTests(ITestOutputHelper output)
{
    private sealed record Entity(string Type, int Start, int End);

    private sealed record Case(string Type, string Text, List<Entity> Entities);

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>Minimum (precision, recall) per type.</summary>
    private static readonly Dictionary<string, (double Precision, double Recall)> Floors = new()
    {
        ["EMAIL"] = (1.00, 1.00),
        ["PHONE"] = (0.96, 0.88),
        ["CREDIT_CARD"] = (1.00, 0.87),
        ["IBAN"] = (1.00, 1.00),
        ["IP_ADDRESS"] = (1.00, 0.86),
        ["URL"] = (1.00, 0.78),
        ["CRYPTO_WALLET"] = (1.00, 1.00),
        ["US_SSN"] = (1.00, 0.42),
        ["ABA_ROUTING"] = (1.00, 0.00),
        ["PASSPORT"] = (1.00, 0.20),
        ["DRIVER_LICENSE"] = (1.00, 0.00),
        ["UK_NINO"] = (1.00, 1.00),
        ["UK_NHS"] = (1.00, 0.00),
        ["ES_NIF"] = (1.00, 1.00),
        ["ES_NIE"] = (1.00, 1.00),
        ["IT_FISCAL_CODE"] = (1.00, 0.50),
        ["AU_ABN"] = (1.00, 1.00),
        ["AU_TFN"] = (1.00, 0.50),
        ["AU_MEDICARE"] = (1.00, 0.50),
        ["SG_NRIC_FIN"] = (1.00, 0.60),
    };

    [Fact]
    public async Task PresidioCases_RecommendedPolicy_MeetsMeasuredFiguresPerType()
    {
        var options = new LlmKitOptions();
        options.Safety.Input = GuardPolicyOptions.CreateRecommended();
        var guard = new SafetyGuard(Options.Create(options), [], [], []);
        string path = Path.Combine(AppContext.BaseDirectory, "Safety", "Corpus", "presidio-recognizer-cases.json");
        var cases = JsonSerializer.Deserialize<List<Case>>(await File.ReadAllTextAsync(path), Json)!;
        var stats = new Dictionary<string, (int Tp, int Fp, int Fn)>();
        var misses = new StringBuilder();
        foreach (var c in cases)
        {
            var evaluation = await guard.EvaluateAsync(c.Text, GuardDirection.Input);
            var found = evaluation.ActedOn.Where(f => f.Type == c.Type).ToList();
            var (tp, fp, fn) = stats.GetValueOrDefault(c.Type);
            foreach (var e in c.Entities)
            {
                if (found.Any(f => f.Start < e.End && e.Start < f.Start + f.Length))
                {
                    tp++;
                }
                else
                {
                    fn++;
                    misses.AppendLine(CultureInfo.InvariantCulture, $"miss {c.Type}: {c.Text[e.Start..e.End]}");
                }
            }

            foreach (var f in found.Where(f => !c.Entities.Any(e => f.Start < e.End && e.Start < f.Start + f.Length)))
            {
                fp++;
                misses.AppendLine(CultureInfo.InvariantCulture, $"false {c.Type}: {c.Text.Substring(f.Start, f.Length)} in '{c.Text}'");
            }

            stats[c.Type] = (tp, fp, fn);
        }

        output.WriteLine("| type | cases | positives | precision | recall |");
        foreach (var (type, (tp, fp, fn)) in stats.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {type} | {cases.Count(c => c.Type == type)} | {tp + fn} | {Precision(tp, fp):0.00} | {Recall(tp, fn):0.00} |"));
        }

        output.WriteLine(misses.ToString());
        foreach (var (type, (minPrecision, minRecall)) in Floors)
        {
            var (tp, fp, fn) = stats[type];
            Assert.True(Precision(tp, fp) >= minPrecision && Recall(tp, fn) >= minRecall, $"{type}: precision {Precision(tp, fp):0.00}, recall {Recall(tp, fn):0.00}\n{misses}");
        }
    }

    private static double Precision(int tp, int fp) => tp + fp == 0 ? 1 : (double)tp / (tp + fp);

    private static double Recall(int tp, int fn) => tp + fn == 0 ? 1 : (double)tp / (tp + fn);
}
