using LlmKit.Stores.Tests.Contracts;
using Microsoft.Extensions.VectorData;

namespace LlmKit.Stores.Tests.Knowledge;

public sealed class InMemoryKnowledgeRetrievalTests : KnowledgeRetrievalContractTests
{
    protected override Task<VectorStore> CreateStoreAsync() => Task.FromResult<VectorStore>(new InMemoryVectorStore());
}
