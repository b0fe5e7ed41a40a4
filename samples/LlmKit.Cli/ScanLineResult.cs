namespace LlmKit.Cli;

/// <summary>One line of <c>llmkit scan --per-line</c>: its number (from 1) and its findings, with offsets from the line's start.</summary>
internal sealed record ScanLineResult(int Line, IReadOnlyList<ScanFinding> Findings);
