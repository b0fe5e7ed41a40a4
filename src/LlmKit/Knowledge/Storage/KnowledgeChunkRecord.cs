using Microsoft.Extensions.VectorData;

namespace LlmKit;

/// <summary>
/// One chunk of an ingested document as the knowledge service stores it in a <see cref="VectorStore"/> collection:
/// its text, where it came from, and its embedding. <see cref="CreateDefinition"/> describes it to any connector.
/// </summary>
public sealed class KnowledgeChunkRecord
{
    /// <summary>Gets or sets the record key: tenant, document id, content hash and chunk index.</summary>
    public string Key { get; set; } = "";

    /// <summary>Gets or sets the id of the document the chunk belongs to (unique per tenant).</summary>
    public string DocumentId { get; set; } = "";

    /// <summary>Gets or sets where the document came from: a file path, a URL or a name the host chose.</summary>
    public string Source { get; set; } = "";

    /// <summary>Gets or sets the document's title; <see langword="null"/> when it has none.</summary>
    public string? Title { get; set; }

    /// <summary>Gets or sets the section the chunk is in (Markdown headings joined with " > "); <see langword="null"/> when none.</summary>
    public string? Section { get; set; }

    /// <summary>Gets or sets the page the chunk is on, from 1 (PDF); <see langword="null"/> for documents without pages.</summary>
    public int? Page { get; set; }

    /// <summary>Gets or sets the chunk's position in its document, from 0.</summary>
    public int ChunkIndex { get; set; }

    /// <summary>Gets or sets the offset, in UTF-16 code units, of the chunk's text in the document text (the page's text for a PDF).</summary>
    public int StartOffset { get; set; }

    /// <summary>Gets or sets the exact token count of <see cref="Text"/> with the knowledge service's tokenizer.</summary>
    public int TokenCount { get; set; }

    /// <summary>Gets or sets the chunk's text, exactly as it appears in the document.</summary>
    public string Text { get; set; } = "";

    /// <summary>Gets or sets the tenant owning the document; <see langword="null"/> for documents shared by no tenant.</summary>
    public string? Tenant { get; set; }

    /// <summary>Gets or sets the document's tags. Defaults to empty.</summary>
    public string[] Tags { get; set; } = [];

    /// <summary>Gets or sets the hash of the document's content and ingestion settings, so an unchanged document is not ingested again.</summary>
    public string ContentHash { get; set; } = "";

    /// <summary>Gets or sets the embedding model that produced <see cref="Embedding"/>; <see langword="null"/> when not embedded.</summary>
    public string? EmbeddingModel { get; set; }

    /// <summary>Gets or sets the embedding of <see cref="Text"/>; <see langword="null"/> when ingested without an embedding model.</summary>
    public ReadOnlyMemory<float>? Embedding { get; set; }

    /// <summary>Describes the record to a vector store: key, filterable data, the full-text indexed text and the vector.</summary>
    /// <param name="dimensions">The embedding dimensions; at least 1.</param>
    /// <returns>A new definition.</returns>
    public static VectorStoreCollectionDefinition CreateDefinition(int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        return new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty(nameof(Key), typeof(string)),
                new VectorStoreDataProperty(nameof(DocumentId), typeof(string)) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(Source), typeof(string)),
                new VectorStoreDataProperty(nameof(Title), typeof(string)),
                new VectorStoreDataProperty(nameof(Section), typeof(string)),
                new VectorStoreDataProperty(nameof(Page), typeof(int?)),
                new VectorStoreDataProperty(nameof(ChunkIndex), typeof(int)),
                new VectorStoreDataProperty(nameof(StartOffset), typeof(int)),
                new VectorStoreDataProperty(nameof(TokenCount), typeof(int)),
                new VectorStoreDataProperty(nameof(Text), typeof(string)) { IsFullTextIndexed = true },
                new VectorStoreDataProperty(nameof(Tenant), typeof(string)) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(Tags), typeof(string[])) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(ContentHash), typeof(string)),
                new VectorStoreDataProperty(nameof(EmbeddingModel), typeof(string)),
                new VectorStoreVectorProperty(nameof(Embedding), typeof(ReadOnlyMemory<float>?), dimensions) { DistanceFunction = DistanceFunction.CosineSimilarity },
            ],
        };
    }
}
