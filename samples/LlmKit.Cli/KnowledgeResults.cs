namespace LlmKit.Cli;

/// <summary>The --json output of <c>llmkit knowledge ingest</c>.</summary>
internal sealed record KnowledgeIngestResult(int Documents, int Unchanged, int Chunks, IReadOnlyList<KnowledgeSkippedRow> Skipped);

/// <summary>A document <c>llmkit knowledge ingest</c> skipped, and why.</summary>
internal sealed record KnowledgeSkippedRow(string Path, string Reason);

/// <summary>The --json output of <c>llmkit knowledge search</c>.</summary>
internal sealed record KnowledgeSearchOutput(IReadOnlyList<KnowledgeHitRow> Results);

/// <summary>One chunk found by <c>llmkit knowledge search</c>.</summary>
internal sealed record KnowledgeHitRow(string Document, string? Title, string? Section, int? Page, double Score, string Text);

/// <summary>The --json output of <c>llmkit knowledge ask</c>.</summary>
internal sealed record KnowledgeAskResult(string Text, IReadOnlyList<KnowledgeCitationRow> Citations, ChatUsage Usage, ChatCost Cost);

/// <summary>A source the answer of <c>llmkit knowledge ask</c> cites.</summary>
internal sealed record KnowledgeCitationRow(int Index, string Document, string? Title, string? Section, int? Page, string Text);
