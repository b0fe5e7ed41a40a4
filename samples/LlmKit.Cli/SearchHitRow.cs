namespace LlmKit.Cli;

/// <summary>One hit in the --json output of <c>llmkit conversations search</c>.</summary>
internal sealed record SearchHitRow(string ConversationId, string? Title, string? MessageId, string Snippet, double Rank);
