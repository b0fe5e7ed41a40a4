namespace LlmKit.Stores.Tests.Contracts;

/// <summary>
/// A store of another library as the contract sees it: forwards every member it must implement to a real store, and
/// leaves <see cref="IConversationStore.CreateManyAsync"/> to the interface's default implementation.
/// </summary>
public class ForwardingConversationStore(IConversationStore inner) : IConversationStore
{
    protected IConversationStore Inner { get; } = inner;

    public Task<Conversation> CreateAsync(Conversation conversation, CancellationToken cancellationToken = default) => Inner.CreateAsync(conversation, cancellationToken);

    public Task<Conversation?> GetAsync(string id, bool includeMessages = true, CancellationToken cancellationToken = default) => Inner.GetAsync(id, includeMessages, cancellationToken);

    public Task<long> AppendAsync(string id, IReadOnlyList<ConversationMessage> messages, long? expectedVersion = null, CancellationToken cancellationToken = default)
        => Inner.AppendAsync(id, messages, expectedVersion, cancellationToken);

    public Task<long> UpdateAsync(string id, ConversationUpdate update, long? expectedVersion = null, CancellationToken cancellationToken = default)
        => Inner.UpdateAsync(id, update, expectedVersion, cancellationToken);

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) => Inner.DeleteAsync(id, cancellationToken);

    public Task<ConversationPage> ListAsync(ConversationQuery query, CancellationToken cancellationToken = default) => Inner.ListAsync(query, cancellationToken);

    public Task<IReadOnlyList<ConversationSearchHit>> SearchAsync(string text, ConversationQuery? query = null, CancellationToken cancellationToken = default)
        => Inner.SearchAsync(text, query, cancellationToken);

    public Task<ConversationStatistics> GetStatisticsAsync(ConversationQuery? query = null, CancellationToken cancellationToken = default)
        => Inner.GetStatisticsAsync(query, cancellationToken);
}
