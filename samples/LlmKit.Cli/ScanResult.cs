namespace LlmKit.Cli;

/// <summary>The --json output of <c>llmkit scan</c>: <c>{findings: [{type, start, length, score, recognizer}], redacted}</c>.</summary>
internal sealed record ScanResult(IReadOnlyList<ScanFinding> Findings, string Redacted);
