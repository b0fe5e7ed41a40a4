namespace LlmKit;

/// <summary>What an ingestion did.</summary>
public sealed record KnowledgeIngestionReport
{
    /// <summary>Gets the number of documents written (new or changed).</summary>
    public int Documents { get; init; }

    /// <summary>Gets the number of documents found unchanged (same content hash) and left as they were, at no cost.</summary>
    public int Unchanged { get; init; }

    /// <summary>Gets the number of chunks written.</summary>
    public int Chunks { get; init; }

    /// <summary>Gets the number of chunks embedded (0 without an embedding generator).</summary>
    public int EmbeddedChunks { get; init; }

    /// <summary>Gets the documents skipped, each with its reason. Defaults to empty.</summary>
    public IReadOnlyList<KnowledgeSkippedDocument> Skipped { get; init; } = [];
}
