namespace LlmKit;

/// <summary>
/// Durable storage of conversations. Implementations keep data under concurrency: optimistic
/// concurrency on updates, appends idempotent by message id, no lost or duplicated messages.
/// </summary>
public interface IConversationStore
{
    /// <summary>Creates a conversation (its messages, if any, are stored too).</summary>
    /// <param name="conversation">The conversation; the store sets times and version.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored conversation.</returns>
    /// <exception cref="ConcurrencyConflictException">A conversation with the same id exists.</exception>
    Task<Conversation> CreateAsync(Conversation conversation, CancellationToken cancellationToken = default);

    /// <summary>Returns a conversation, or <see langword="null"/> when it does not exist.</summary>
    /// <param name="id">The id.</param>
    /// <param name="includeMessages">Whether to load the messages. Defaults to <see langword="true"/>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The conversation, or <see langword="null"/>.</returns>
    Task<Conversation?> GetAsync(string id, bool includeMessages = true, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends messages atomically (all or none). A message whose id is already stored is skipped, so a
    /// retried append never duplicates.
    /// </summary>
    /// <param name="id">The conversation id.</param>
    /// <param name="messages">The messages.</param>
    /// <param name="expectedVersion">The version the caller read, or <see langword="null"/> to append whatever the version.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation's new version.</returns>
    /// <exception cref="KeyNotFoundException">The conversation does not exist.</exception>
    /// <exception cref="ConcurrencyConflictException">The version moved on.</exception>
    Task<long> AppendAsync(string id, IReadOnlyList<ConversationMessage> messages, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Changes title, tags or metadata.</summary>
    /// <param name="id">The conversation id.</param>
    /// <param name="update">The changes.</param>
    /// <param name="expectedVersion">The version the caller read, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation's new version.</returns>
    Task<long> UpdateAsync(string id, ConversationUpdate update, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a conversation and its messages.</summary>
    /// <param name="id">The conversation id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when it existed.</returns>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Lists conversations (without messages), most recently updated first, with keyset paging.</summary>
    /// <param name="query">Filters and paging.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One page.</returns>
    Task<ConversationPage> ListAsync(ConversationQuery query, CancellationToken cancellationToken = default);

    /// <summary>Searches titles and message text.</summary>
    /// <param name="text">The search words.</param>
    /// <param name="query">Filters; its paging fields limit the number of hits.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The hits, most relevant first.</returns>
    Task<IReadOnlyList<ConversationSearchHit>> SearchAsync(string text, ConversationQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Returns totals over the conversations that match <paramref name="query"/>.</summary>
    /// <param name="query">Filters, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The statistics.</returns>
    Task<ConversationStatistics> GetStatisticsAsync(ConversationQuery? query = null, CancellationToken cancellationToken = default);
}
