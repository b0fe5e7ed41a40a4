namespace LlmKit.Stores.Tests.Caching;

/// <summary>The response cache with no second level: HybridCache's in-memory cache only, per service provider.</summary>
public sealed class InMemoryResponseCacheTests : ResponseCacheContractTests
{
    protected override bool SharesAcrossMachines => false;

    protected override void AddSecondLevel(ILlmKitBuilder kit)
    {
    }
}
