using LlmKit.Stores.Tests.Contracts;

namespace LlmKit.Stores.Tests.ApiKeys;

/// <summary>The in-memory API key store of the LlmKit package against the same contract as the durable stores.</summary>
public sealed class InMemoryApiKeyStoreContractTests : ApiKeyStoreContractTests
{
    protected override Task<IApiKeyStore> CreateStoreAsync() => Task.FromResult<IApiKeyStore>(new InMemoryApiKeyStore());
}
