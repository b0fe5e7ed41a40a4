using LlmKit.Stores.Tests.Redis;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Stores.Tests.Caching;

/// <summary>The response cache over Redis (Microsoft.Extensions.Caching.StackExchangeRedis) on a throw-away <c>redis-server</c>.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisResponseCacheTests(RedisServerFixture redis) : ResponseCacheContractTests
{
    private readonly string _instance = "llmkit-test-" + Guid.NewGuid().ToString("N") + ":";

    protected override bool SharesAcrossMachines => true;

    protected override void AddSecondLevel(ILlmKitBuilder kit) => kit.Services.AddStackExchangeRedisCache(o =>
    {
        o.Configuration = redis.Configuration;
        o.InstanceName = _instance;
    });
}
