namespace LlmKit;

/// <summary>A knowledge collection embedded by one model was searched with embeddings of another.</summary>
public sealed class EmbeddingModelMismatchException : LlmKitException
{
    /// <summary>Initializes a new instance naming both models.</summary>
    /// <param name="collectionModel">The model the collection's chunks were embedded with.</param>
    /// <param name="queryModel">The model the query was embedded with.</param>
    public EmbeddingModelMismatchException(string collectionModel, string queryModel)
        : base($"The knowledge collection was embedded with '{collectionModel}' but the query with '{queryModel}'; their vectors are not comparable. " +
               "Re-ingest with the new model, use the collection's model, or set KnowledgeSearchOptions.AllowEmbeddingModelMismatch to search anyway.")
    {
        CollectionModel = collectionModel;
        QueryModel = queryModel;
    }

    /// <summary>Gets the collection's embedding model.</summary>
    public string CollectionModel { get; }

    /// <summary>Gets the query's embedding model.</summary>
    public string QueryModel { get; }

    /// <inheritdoc />
    public override LlmFailureKind FailureKind => LlmFailureKind.BadRequest;
}
