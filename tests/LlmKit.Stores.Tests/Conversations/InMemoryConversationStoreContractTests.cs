using LlmKit.Stores.Tests.Contracts;

namespace LlmKit.Stores.Tests.Conversations;

/// <summary>The in-memory conversation store of the LlmKit package against the same contract as the durable stores.</summary>
public sealed class InMemoryConversationStoreContractTests : ConversationStoreContractTests
{
    protected override Task<IConversationStore> CreateStoreAsync(TimeProvider timeProvider)
        => Task.FromResult<IConversationStore>(new InMemoryConversationStore(timeProvider));
}
