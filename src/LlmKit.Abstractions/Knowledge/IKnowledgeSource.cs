namespace LlmKit;

/// <summary>Something that retrieves passages relevant to a query: a vector store, a search index, a database.</summary>
public interface IKnowledgeSource
{
    /// <summary>Gets the source's name, used in citations and telemetry.</summary>
    string Name { get; }

    /// <summary>Retrieves the passages most relevant to <paramref name="query"/>, most relevant first.</summary>
    /// <param name="query">The query.</param>
    /// <param name="cancellationToken">Cancels the retrieval.</param>
    /// <returns>The passages.</returns>
    Task<IReadOnlyList<KnowledgeChunk>> RetrieveAsync(KnowledgeQuery query, CancellationToken cancellationToken = default);
}
