namespace LlmKit;

/// <summary>
/// Durable storage of conversations. Implementations keep data under concurrency: optimistic
/// concurrency on updates, appends idempotent by message id, no lost or duplicated messages.
/// </summary>
/// <remarks>
/// <para>Every change (append of at least one new message, update) increments <see cref="Conversation.Version"/>
/// by one and sets <see cref="Conversation.UpdatedAt"/> to the store's clock; creation sets version 1.</para>
/// <para>The totals of a conversation (<see cref="Conversation.InputTokens"/>, <see cref="Conversation.OutputTokens"/>,
/// <see cref="Conversation.CostUsd"/>) are the sums of its messages' <see cref="ConversationMessage.Usage"/> and known
/// <see cref="ConversationMessage.Cost"/>, plus the auxiliary calls recorded with <see cref="ConversationUpdate.AuxiliaryUsage"/>
/// and <see cref="ConversationUpdate.AuxiliaryCost"/> (summaries, fact extraction), which are also kept apart in
/// <see cref="Conversation.AuxiliaryInputTokens"/>, <see cref="Conversation.AuxiliaryOutputTokens"/>,
/// <see cref="Conversation.AuxiliaryCostUsd"/> and <see cref="Conversation.AuxiliaryUnknownCostCalls"/>;
/// <see cref="Conversation.Model"/> is the model of the latest message that names one. The store maintains them.</para>
/// <para>Times are kept to the microsecond and returned in UTC.</para>
/// </remarks>
public interface IConversationStore
{
    /// <summary>Creates a conversation (its messages, if any, are stored too, in order).</summary>
    /// <param name="conversation">
    /// The conversation. <see cref="Conversation.CreatedAt"/> and <see cref="Conversation.UpdatedAt"/> are kept when set
    /// (as when importing) and otherwise set to the store's clock; version and totals are set by the store (from the
    /// messages, plus the conversation's auxiliary totals, which are kept as given).
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored conversation, with its messages.</returns>
    /// <exception cref="ArgumentException">
    /// The id is empty, a tag or metadata key is empty, two messages share an id, an auxiliary total or a message's token
    /// usage is negative (the message names the field, such as <c>Usage.InputTokenCount</c>), or an
    /// identifier (the conversation, tenant, user or message id, a tag, a model name, a message role) holds a NUL character
    /// (U+0000) or is not well-formed UTF-16 (an unpaired surrogate, which a database would turn into U+FFFD). Text, titles
    /// and metadata may hold NUL characters and are kept exactly.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A message's cost or the auxiliary cost is beyond 900,000,000 USD either way (what a SQLite store can keep).</exception>
    /// <exception cref="ConcurrencyConflictException">A conversation with the same id exists.</exception>
    Task<Conversation> CreateAsync(Conversation conversation, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates several conversations (as when importing) all or nothing: when any of them cannot be stored, none is.
    /// Each is created as by <see cref="CreateAsync"/>.
    /// </summary>
    /// <param name="conversations">The conversations, in order; an empty list creates nothing.</param>
    /// <param name="cancellationToken">Cancels the operation (nothing is left written).</param>
    /// <returns>The stored conversations, with their messages, in the order given.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="conversations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// A conversation is <see langword="null"/>, two share an id, or one is rejected as by <see cref="CreateAsync"/>
    /// (the LlmKit stores check every conversation before anything is written; the default implementation removes those
    /// it created before the rejected one).
    /// </exception>
    /// <exception cref="ConcurrencyConflictException">A conversation with one of the ids exists (nothing is written).</exception>
    /// <exception cref="StoreUnavailableException">The store cannot be reached (nothing is written).</exception>
    /// <exception cref="LlmKitException">
    /// Default implementation only: a creation failed and removing the conversations created before it failed too; the
    /// message names the conversations left written and <see cref="Exception.InnerException"/> is an
    /// <see cref="AggregateException"/> of the creation failure followed by the removal failures.
    /// </exception>
    /// <remarks>
    /// The LlmKit stores override this with one atomic write (one database transaction for SQLite and PostgreSQL). The
    /// default implementation, for other stores, checks that no conversation is <see langword="null"/> and no id repeats,
    /// then calls <see cref="CreateAsync"/> for each in order and, when one fails (or the operation is canceled), deletes
    /// those it created with <see cref="DeleteAsync"/> before rethrowing the failure; a reader may see them meanwhile.
    /// </remarks>
    Task<IReadOnlyList<Conversation>> CreateManyAsync(IReadOnlyList<Conversation> conversations, CancellationToken cancellationToken = default)
        => ConversationBatch.CreateOneByOneAsync(this, conversations, cancellationToken);

    /// <summary>Returns a conversation, or <see langword="null"/> when it does not exist.</summary>
    /// <param name="id">The id.</param>
    /// <param name="includeMessages">Whether to load the messages. Defaults to <see langword="true"/>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The conversation, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty or white space, or holds a NUL character (U+0000) or an unpaired surrogate.</exception>
    Task<Conversation?> GetAsync(string id, bool includeMessages = true, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends messages atomically (all or none). A message whose id is already stored is skipped, so a
    /// retried append never duplicates. A message without <see cref="Microsoft.Extensions.AI.ChatMessage.MessageId"/> gets a
    /// new one and one without <see cref="Microsoft.Extensions.AI.ChatMessage.CreatedAt"/> gets the store's clock (on the
    /// stored copy; the caller's objects are not changed).
    /// </summary>
    /// <param name="id">The conversation id.</param>
    /// <param name="messages">The messages.</param>
    /// <param name="expectedVersion">
    /// The version the caller read, or <see langword="null"/> to append whatever the version. When every message is
    /// already stored (a retry of an append that succeeded) nothing changes and the current version is returned
    /// whatever this value.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation's new version.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty or white space, a message is <see langword="null"/>, two messages of the call share an id, a message's token usage is negative (the message names the field), or the conversation id, a message id, role or model name holds a NUL character (U+0000) or an unpaired surrogate.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A message's cost is beyond 900,000,000 USD either way (nothing is written).</exception>
    /// <exception cref="ConversationNotFoundException">The conversation does not exist.</exception>
    /// <exception cref="ConcurrencyConflictException">The version moved on.</exception>
    Task<long> AppendAsync(string id, IReadOnlyList<ConversationMessage> messages, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes title, tags or metadata, and adds the usage and cost of an auxiliary call to the totals, all in one atomic
    /// write with the version increment.
    /// </summary>
    /// <param name="id">The conversation id.</param>
    /// <param name="update">The changes.</param>
    /// <param name="expectedVersion">The version the caller read, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The conversation's new version (unchanged when <paramref name="update"/> changes nothing).</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty or white space, a tag or metadata key is empty, the id or a tag holds a NUL character (U+0000) or an unpaired surrogate, or an auxiliary token count or known cost is negative.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The auxiliary cost is above 900,000,000 USD (nothing is changed).</exception>
    /// <exception cref="ConversationNotFoundException">The conversation does not exist.</exception>
    /// <exception cref="ConcurrencyConflictException">The version moved on (nothing is changed, no usage added).</exception>
    Task<long> UpdateAsync(string id, ConversationUpdate update, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a conversation and its messages.</summary>
    /// <param name="id">The conversation id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when it existed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty or white space, or holds a NUL character (U+0000) or an unpaired surrogate.</exception>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists conversations (without messages), most recently updated first (ties by id, descending ordinal),
    /// with keyset paging: a page continues exactly after the last item of the previous one, so changes made
    /// meanwhile never repeat or skip an unchanged conversation.
    /// </summary>
    /// <param name="query">Filters and paging; <see cref="ConversationQuery.PageSize"/> must be 1 to 1,000.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One page.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The page size is outside 1 to 1,000.</exception>
    /// <exception cref="ArgumentException">A time range of the query starts after it ends (e.g. <see cref="ConversationQuery.CreatedAfter"/> after <see cref="ConversationQuery.CreatedBefore"/>).</exception>
    /// <exception cref="LlmKitException">The continuation token is not one this store returned.</exception>
    Task<ConversationPage> ListAsync(ConversationQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Searches titles and message text: every word of <paramref name="text"/> must occur in the same message (or in
    /// the title), as a whole word in any case; punctuation is ignored. One hit per conversation, with its best
    /// matching message or its title (<see cref="ConversationSearchHit.MessageId"/> <see langword="null"/>).
    /// </summary>
    /// <param name="text">The search words.</param>
    /// <param name="query">Filters; its <see cref="ConversationQuery.PageSize"/> limits the number of hits.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The hits, most relevant first.</returns>
    /// <exception cref="ArgumentException"><paramref name="text"/> holds no letter or digit, or a time range of the query starts after it ends.</exception>
    Task<IReadOnlyList<ConversationSearchHit>> SearchAsync(string text, ConversationQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Returns totals over the conversations that match <paramref name="query"/> (its paging fields are ignored).</summary>
    /// <param name="query">Filters, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The statistics; <see cref="ConversationStatistics.TopTags"/> holds at most 10 tags, ties by tag ordinal.</returns>
    /// <exception cref="ArgumentException">A time range of the query starts after it ends.</exception>
    Task<ConversationStatistics> GetStatisticsAsync(ConversationQuery? query = null, CancellationToken cancellationToken = default);
}
