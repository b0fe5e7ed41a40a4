namespace LlmKit;

/// <summary>Progress of an ingestion, reported after each embedding batch and each document.</summary>
/// <param name="Source">The document being ingested.</param>
/// <param name="DocumentsDone">Documents finished so far (ingested, unchanged or skipped).</param>
/// <param name="DocumentsTotal">Documents in this ingestion; <see langword="null"/> when not known in advance.</param>
/// <param name="ChunksEmbedded">Chunks embedded so far.</param>
public sealed record KnowledgeIngestionProgress(string Source, int DocumentsDone, int? DocumentsTotal, int ChunksEmbedded);
