namespace LlmKit;

/// <summary>Settings of a <see cref="KnowledgeBase"/>.</summary>
public sealed class KnowledgeBaseOptions
{
    /// <summary>Gets or sets the vector store collection's name. Defaults to <c>knowledge</c>.</summary>
    public string CollectionName { get; set; } = "knowledge";

    /// <summary>Gets or sets the most tokens a chunk holds (exact count). Defaults to 512.</summary>
    public int ChunkTokens { get; set; } = 512;

    /// <summary>Gets or sets about how many tokens consecutive chunks share, in whole sentences. Defaults to 64; less than <see cref="ChunkTokens"/>.</summary>
    public int OverlapTokens { get; set; } = 64;

    /// <summary>
    /// Gets or sets the tokenizer encoding used for chunking and for fitting chunks into an answer's budget.
    /// Defaults to <c>o200k_base</c>; a tokenizer passed to the <see cref="KnowledgeBase"/> wins.
    /// </summary>
    public string TokenizerEncoding { get; set; } = TokenizerEncodings.O200kBase;

    /// <summary>
    /// Gets or sets the embedding dimensions. Defaults to <see langword="null"/>: the embedding generator's
    /// <c>DefaultModelDimensions</c>, else the length of a first embedding; 1 when there is no generator (keyword only).
    /// </summary>
    public int? Dimensions { get; set; }

    /// <summary>
    /// Gets or sets the embedding model's id recorded on each chunk. Defaults to <see langword="null"/>: the generator's
    /// <c>DefaultModelId</c>, else its type name.
    /// </summary>
    public string? EmbeddingModelId { get; set; }

    /// <summary>Gets or sets the most texts per embedding request. Defaults to 64 (OpenAI accepts 2,048, Gemini 100).</summary>
    public int EmbeddingBatchSize { get; set; } = 64;

    /// <summary>Gets or sets the most tokens per embedding request. Defaults to 100,000 (OpenAI accepts 300,000).</summary>
    public int EmbeddingBatchTokens { get; set; } = 100_000;

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(CollectionName, nameof(CollectionName));
        if (ChunkTokens < 16)
        {
            throw new LlmKitConfigurationException($"KnowledgeBaseOptions.ChunkTokens is {ChunkTokens}; it must be at least 16.");
        }

        if (OverlapTokens < 0 || OverlapTokens >= ChunkTokens)
        {
            throw new LlmKitConfigurationException($"KnowledgeBaseOptions.OverlapTokens is {OverlapTokens}; it must be at least 0 and less than ChunkTokens ({ChunkTokens}).");
        }

        if (Dimensions is < 1)
        {
            throw new LlmKitConfigurationException($"KnowledgeBaseOptions.Dimensions is {Dimensions}; it must be at least 1 or null.");
        }

        if (EmbeddingBatchSize < 1 || EmbeddingBatchTokens < ChunkTokens)
        {
            throw new LlmKitConfigurationException(
                $"KnowledgeBaseOptions.EmbeddingBatchSize ({EmbeddingBatchSize}) must be at least 1 and EmbeddingBatchTokens ({EmbeddingBatchTokens}) at least ChunkTokens ({ChunkTokens}).");
        }
    }
}
