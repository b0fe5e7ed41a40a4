using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmKit.Cli.Commands;

/// <summary>
/// <c>llmkit scan</c>: runs the input guard on a text and lists the findings the policy acts on (the input policy from
/// --config, or the recommended one when none is configured), or every finding with --all.
/// </summary>
internal static class ScanCommand
{
    public static Command Create(Option<bool> json, Option<FileInfo?> config)
    {
        var all = new Option<bool>("--all") { Description = "List every finding with its score, not only those the policy acts on." };
        var failOn = new Option<string[]>("--fail-on")
        {
            Description = "Exit with 1 when a finding the policy acts on has one of these types (comma-separated, e.g. CREDIT_CARD,US_SSN,PROMPT_INJECTION).",
            AllowMultipleArgumentsPerToken = false,
        };
        var perLine = new Option<bool>("--per-line") { Description = "Scan each line as its own text (without its trailing line feed); offsets count from the line's start." };
        var file = new Argument<string>("FILE") { Description = "The text file ('-' reads standard input)." };
        var command = new Command("scan", "Runs the input guard on a text: PII and prompt-injection findings, and the redacted text.") { all, failOn, perLine, file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var services = CliHost.Build(parse.GetValue(config), CliConnection.None, TextWriter.Null, out _);
            var guard = services.GetRequiredService<SafetyGuard>();
            if (!guard.IsInputGuarded)
            {
                // No input policy configured: scan with the recommended one.
                var configured = services.GetRequiredService<IOptions<LlmKitOptions>>().Value.Safety;
                var options = new LlmKitOptions
                {
                    Safety = new SafetyOptions
                    {
                        Input = GuardPolicyOptions.CreateRecommended(),
                        WordLists = configured.WordLists,
                        CustomRecognizers = configured.CustomRecognizers,
                        PhoneRegions = configured.PhoneRegions,
                    },
                };
                guard = new SafetyGuard(Options.Create(options), services.GetServices<ISafetyRecognizer>(), [], []);
            }

            var failTypes = ParseTypes(parse.GetValue(failOn), services);
            string path = parse.GetValue(file)!;
            string text;
            try
            {
                text = path == "-"
                    ? await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false)
                    : await File.ReadAllTextAsync(path, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
            {
                throw new CliInputException($"FILE: '{path}' cannot be read: {ex.Message}");
            }

            if (parse.GetValue(perLine))
            {
                return await ScanLinesAsync(guard, text, parse.GetValue(all), parse.GetValue(json), failTypes, cancellationToken).ConfigureAwait(false);
            }

            var evaluation = await guard.EvaluateAsync(text, GuardDirection.Input, surrogates: new PiiSurrogateMap(), cancellationToken: cancellationToken).ConfigureAwait(false);
            var listed = parse.GetValue(all) ? evaluation.Findings : evaluation.ActedOn;
            var result = new ScanResult(ToRows(listed), evaluation.Text);

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(result, CliJsonContext.Output.ScanResult));
            }
            else
            {
                WriteFindings(result.Findings, string.Empty);
                Console.Out.WriteLine(result.Findings.Count == 0 ? "no findings" : string.Create(CultureInfo.InvariantCulture, $"{result.Findings.Count} findings"));
                Console.Out.WriteLine();
                Console.Out.WriteLine(result.Redacted);
            }

            return Fail(evaluation.ActedOn.Select(f => f.Type).Where(failTypes.Contains));
        });
        return command;
    }

    /// <summary>Scans each line (split at line feeds; a final empty line is not one) as its own text.</summary>
    private static async Task<int> ScanLinesAsync(SafetyGuard guard, string text, bool all, bool json, HashSet<string> failTypes, CancellationToken cancellationToken)
    {
        var results = new List<ScanLineResult>();
        var failed = new List<string>();
        int start = 0, number = 1;
        while (start < text.Length)
        {
            int newline = text.IndexOf('\n', start);
            int end = newline < 0 ? text.Length : newline;
            var evaluation = await guard.EvaluateAsync(text[start..end], GuardDirection.Input, surrogates: new PiiSurrogateMap(), cancellationToken: cancellationToken).ConfigureAwait(false);
            results.Add(new ScanLineResult(number, ToRows(all ? evaluation.Findings : evaluation.ActedOn)));
            failed.AddRange(evaluation.ActedOn.Select(f => f.Type).Where(failTypes.Contains));
            start = end + 1;
            number++;
        }

        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new ScanLinesResult(results), CliJsonContext.Output.ScanLinesResult));
        }
        else
        {
            foreach (var line in results)
            {
                WriteFindings(line.Findings, string.Create(CultureInfo.InvariantCulture, $"{line.Line,6}: "));
            }

            int count = results.Sum(r => r.Findings.Count);
            Console.Out.WriteLine(count == 0 ? "no findings" : string.Create(CultureInfo.InvariantCulture, $"{count} findings in {results.Count(r => r.Findings.Count > 0)} of {results.Count} lines"));
        }

        return Fail(failed);
    }

    private static List<ScanFinding> ToRows(IEnumerable<SafetyFinding> findings)
        => [.. findings.Select(f => new ScanFinding(f.Type, f.Start, f.Length, Math.Round(f.Score, 3), f.Recognizer))];

    private static void WriteFindings(IEnumerable<ScanFinding> findings, string prefix)
    {
        foreach (var f in findings)
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{prefix}{f.Type,-18} {f.Start,8} {f.Length,6} {f.Score,6:0.00}  {f.Recognizer}"));
        }
    }

    private static int Fail(IEnumerable<string> types)
    {
        var failed = types.Distinct(StringComparer.Ordinal).ToList();
        if (failed.Count > 0)
        {
            Console.Error.WriteLine("llmkit: found " + string.Join(", ", failed) + ".");
            return CliExitCodes.ProblemFound;
        }

        return CliExitCodes.Success;
    }

    private static HashSet<string> ParseTypes(string[]? values, IServiceProvider services)
    {
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { SafetyFindingTypes.PromptInjection };
        known.UnionWith(SafetyFindingTypes.PersonalData);
        var safety = services.GetRequiredService<IOptions<LlmKitOptions>>().Value.Safety;
        known.UnionWith(safety.WordLists.Keys.Select(k => k.ToUpperInvariant()));
        known.UnionWith(safety.CustomRecognizers.Values.Select(c => c.Type!));
        foreach (var recognizer in services.GetServices<ISafetyRecognizer>())
        {
            known.UnionWith(recognizer.SupportedTypes);
        }

        var types = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string value in values ?? [])
        {
            foreach (string type in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!known.Contains(type))
                {
                    throw new CliInputException($"--fail-on: '{type}' is not a finding type. Known: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
                }

                types.Add(type);
            }
        }

        return types;
    }
}
