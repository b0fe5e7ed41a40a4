namespace LlmKit;

/// <summary>Export and import of conversations on any <see cref="IConversationStore"/>, in the <see cref="ConversationJson"/> format.</summary>
public static class ConversationStoreExtensions
{
    /// <summary>Writes conversations, with their messages, as an export file.</summary>
    /// <param name="store">The store.</param>
    /// <param name="ids">The ids of the conversations to export, in file order.</param>
    /// <param name="destination">The stream; left open.</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    /// <returns>A task that completes when the file is written.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ConversationNotFoundException">A conversation does not exist (nothing is written).</exception>
    public static async Task ExportAsync(this IConversationStore store, IEnumerable<string> ids, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(destination);
        var conversations = new List<Conversation>();
        foreach (string id in ids)
        {
            conversations.Add(await store.GetAsync(id, includeMessages: true, cancellationToken).ConfigureAwait(false)
                ?? throw ConversationNotFoundException.ForId(id));
        }

        await ConversationJson.SerializeAsync(destination, conversations, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads an export file and creates its conversations, keeping their ids, times, messages, usage and costs, all or
    /// nothing: the whole file is read and checked before anything is written, then every conversation is created with one
    /// <see cref="IConversationStore.CreateManyAsync"/> call (one transaction on the SQLite and PostgreSQL stores), so when
    /// one of them cannot be written none of the file's conversations is left in the store.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="source">The export file; left open.</param>
    /// <param name="cancellationToken">Cancels the import.</param>
    /// <returns>The created conversations, in file order.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ConversationFormatException">The file is not a valid export (nothing is written).</exception>
    /// <exception cref="ArgumentException">A conversation of the file is rejected by the store (for example an identifier holds a NUL character); nothing is written.</exception>
    /// <exception cref="ConcurrencyConflictException">A conversation of the file already exists in the store, or was created by someone else while importing; nothing is written.</exception>
    /// <exception cref="StoreUnavailableException">The store cannot be reached; nothing is written.</exception>
    public static async Task<IReadOnlyList<Conversation>> ImportAsync(this IConversationStore store, Stream source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(source);
        var conversations = await ConversationJson.DeserializeAsync(source, cancellationToken).ConfigureAwait(false);
        foreach (var conversation in conversations)
        {
            if (await store.GetAsync(conversation.Id, includeMessages: false, cancellationToken).ConfigureAwait(false) is not null)
            {
                throw new ConcurrencyConflictException($"Conversation '{conversation.Id}' already exists, so the file was not imported. Delete it first or import into another store.");
            }
        }

        return await store.CreateManyAsync(conversations, cancellationToken).ConfigureAwait(false);
    }
}
