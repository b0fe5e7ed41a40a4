using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace LlmKit;

/// <summary>
/// Knowledge retrieval with citations over any <see cref="VectorStore"/>: ingests documents (text, Markdown, PDF) into
/// token-exact chunks, retrieves them by hybrid, vector or keyword search with tenant and tag filters, and answers
/// questions from them with numbered, resolved citations.
/// </summary>
/// <remarks>
/// Embeddings come from the <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> given; without one, ingestion stores
/// chunks for keyword search only and hybrid search is keyword search. Thread-safe.
/// </remarks>
public sealed partial class KnowledgeBase
{
    private readonly VectorStore _store;
    private readonly KnowledgeBaseOptions _options;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embeddingGenerator;
    private readonly ITokenizer _tokenizer;
    private readonly IChatClient? _chatClient;
    private VectorStoreCollection<string, KnowledgeChunkRecord>? _collection;
    private int _dimensions;

    /// <summary>Initializes a new knowledge base.</summary>
    /// <param name="store">The vector store holding the chunks: <see cref="InMemoryVectorStore"/>, LlmKit.Sqlite's store or any VectorData connector.</param>
    /// <param name="options">The settings; <see langword="null"/> (the default) for the defaults of <see cref="KnowledgeBaseOptions"/>.</param>
    /// <param name="embeddingGenerator">Embeds chunks and queries; <see langword="null"/> (the default) for keyword search only.</param>
    /// <param name="chatClient">Answers questions in <see cref="AskAsync"/>: LlmKit's pipeline client; <see langword="null"/> (the default) when only searching.</param>
    /// <param name="tokenizer">Counts tokens for chunking and answer budgets; <see langword="null"/> (the default) for <see cref="KnowledgeBaseOptions.TokenizerEncoding"/>.</param>
    public KnowledgeBase(
        VectorStore store,
        KnowledgeBaseOptions? options = null,
        IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator = null,
        IChatClient? chatClient = null,
        ITokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new KnowledgeBaseOptions();
        _options.Validate();
        _embeddingGenerator = embeddingGenerator;
        _chatClient = chatClient;
        _tokenizer = tokenizer ?? TiktokenTokenizer.GetEncoding(_options.TokenizerEncoding);
    }

    /// <summary>Gets the tokenizer used for chunking and answer budgets.</summary>
    public ITokenizer Tokenizer => _tokenizer;

    /// <summary>Gets the embedding model id recorded on chunks; <see langword="null"/> without an embedding generator.</summary>
    public string? EmbeddingModelId => _embeddingGenerator is null ? null
        : _options.EmbeddingModelId ?? _embeddingGenerator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? _embeddingGenerator.GetType().Name;

    /// <summary>Returns the collection holding the chunks, created when missing.</summary>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The collection.</returns>
    public async Task<VectorStoreCollection<string, KnowledgeChunkRecord>> GetCollectionAsync(CancellationToken cancellationToken = default)
    {
        if (_collection is { } ready)
        {
            return ready;
        }

        // Two callers racing here both create the collection; creating it is idempotent, and one of the handles is kept.
        int dimensions = _options.Dimensions
            ?? _embeddingGenerator?.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions
            ?? (_embeddingGenerator is null ? 1 : (await _embeddingGenerator.GenerateAsync(["dimensions"], cancellationToken: cancellationToken).ConfigureAwait(false))[0].Vector.Length);
        var collection = _store.GetCollection<string, KnowledgeChunkRecord>(_options.CollectionName, KnowledgeChunkRecord.CreateDefinition(dimensions));
        await collection.EnsureCollectionExistsAsync(cancellationToken).ConfigureAwait(false);
        _dimensions = dimensions;
        return Interlocked.CompareExchange(ref _collection, collection, null) ?? collection;
    }
}
