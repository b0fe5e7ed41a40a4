namespace LlmKit.Cli;

/// <summary>The --json output of <c>llmkit scan --per-line</c>: <c>{results: [{line, findings: [..]}]}</c>.</summary>
internal sealed record ScanLinesResult(IReadOnlyList<ScanLineResult> Results);
