namespace LlmKit.Cli;

/// <summary>One finding of <c>llmkit scan</c>; offsets count UTF-16 code units of the text.</summary>
internal sealed record ScanFinding(string Type, int Start, int Length, double Score, string Recognizer);
