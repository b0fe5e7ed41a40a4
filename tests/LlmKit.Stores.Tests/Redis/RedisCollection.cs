namespace LlmKit.Stores.Tests.Redis;

/// <summary>The tests that share one throw-away Redis server.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "Redis";
}
