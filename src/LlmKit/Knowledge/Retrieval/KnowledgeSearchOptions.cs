namespace LlmKit;

/// <summary>Options of <see cref="KnowledgeBase.SearchAsync"/>.</summary>
public sealed class KnowledgeSearchOptions
{
    /// <summary>Gets or sets the ranking. Defaults to <see cref="KnowledgeSearchMode.Hybrid"/>.</summary>
    public KnowledgeSearchMode Mode { get; set; } = KnowledgeSearchMode.Hybrid;

    /// <summary>Gets or sets the number of chunks to return. Defaults to 5.</summary>
    public int Top { get; set; } = 5;

    /// <summary>Gets or sets the tenant; only its documents are searched. Defaults to <see langword="null"/>: documents without a tenant.</summary>
    public string? Tenant { get; set; }

    /// <summary>Gets or sets tags every returned chunk's document must have. Defaults to empty.</summary>
    public IList<string> Tags { get; set; } = [];

    /// <summary>Gets or sets the documents to search; empty (the default) for all.</summary>
    public IList<string> DocumentIds { get; set; } = [];

    /// <summary>
    /// Gets or sets the score below which nothing is returned. Defaults to <see langword="null"/> (none). Scales differ
    /// by mode: cosine similarity for vector, BM25 for keyword, reciprocal rank fusion (at most 2/61) for hybrid.
    /// </summary>
    public double? MinScore { get; set; }

    /// <summary>
    /// Gets or sets the maximal marginal relevance trade-off between relevance (1) and diversity (0), applied to the
    /// candidates when set. Defaults to <see langword="null"/> (no diversity step).
    /// </summary>
    public double? MmrLambda { get; set; }

    /// <summary>
    /// Gets or sets whether to search a collection embedded by another model than the current generator's.
    /// Defaults to <see langword="false"/>: such a search is refused with <see cref="EmbeddingModelMismatchException"/>.
    /// </summary>
    public bool AllowEmbeddingModelMismatch { get; set; }
}
