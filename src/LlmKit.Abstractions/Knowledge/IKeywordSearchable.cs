using Microsoft.Extensions.VectorData;

namespace LlmKit;

/// <summary>
/// A vector store collection that also ranks records by keywords alone (BM25 or the database's own text ranking), so
/// retrieval works with no embedding model and LlmKit can fuse keyword and vector rankings itself.
/// </summary>
/// <typeparam name="TRecord">The record type of the collection.</typeparam>
/// <remarks>
/// LlmKit's in-memory, SQLite and PostgreSQL collections implement it. A third-party collection that does not is still
/// searched by vector (and by its own <see cref="IKeywordHybridSearchable{TRecord}"/> when it has one).
/// </remarks>
public interface IKeywordSearchable<TRecord>
    where TRecord : class
{
    /// <summary>
    /// Returns the records whose full-text indexed properties best match <paramref name="query"/>, best first, with a
    /// score where higher is more relevant (the scale is the store's own).
    /// </summary>
    /// <param name="query">The text to match; split into words by the store's text tokenizer.</param>
    /// <param name="top">The number of results to return; at least 1.</param>
    /// <param name="options">Filter and paging; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">A token that cancels the search.</param>
    /// <returns>The matching records, best first; empty when no word of the query occurs in any record.</returns>
    IAsyncEnumerable<VectorSearchResult<TRecord>> KeywordSearchAsync(string query, int top, KeywordSearchOptions<TRecord>? options = null, CancellationToken cancellationToken = default);
}
