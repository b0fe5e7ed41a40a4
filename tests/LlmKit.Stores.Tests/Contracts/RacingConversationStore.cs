namespace LlmKit.Stores.Tests.Contracts;

/// <summary>
/// Plays another writer that creates <paramref name="rival"/> in the real store just before each batch create, so after
/// the import's up-front check found the id free; the batch then goes to the real store's atomic implementation.
/// </summary>
public sealed class RacingConversationStore(IConversationStore inner, Conversation rival) : ForwardingConversationStore(inner), IConversationStore
{
    /// <summary>Gets how many times the rival was created.</summary>
    public int Races { get; private set; }

    public async Task<IReadOnlyList<Conversation>> CreateManyAsync(IReadOnlyList<Conversation> conversations, CancellationToken cancellationToken = default)
    {
        await Inner.CreateAsync(rival, cancellationToken);
        Races++;
        return await Inner.CreateManyAsync(conversations, cancellationToken);
    }
}
