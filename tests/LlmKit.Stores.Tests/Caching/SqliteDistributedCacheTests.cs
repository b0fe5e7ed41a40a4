using LlmKit.Stores.Tests.Sqlite;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Stores.Tests.Caching;

public sealed class SqliteDistributedCacheTests(SqliteTestDatabase database) : IClassFixture<SqliteTestDatabase>
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task SetThenGet_ReturnsTheBytes_FromAnotherInstanceOnTheSameFile()
    {
        string connection = database.NewConnectionString();
        await new SqliteDistributedCache(connection, _time).SetAsync("k", [1, 2, 3], new DistributedCacheEntryOptions());

        Assert.Equal([1, 2, 3], await new SqliteDistributedCache(connection, _time).GetAsync("k"));
        Assert.Null(await new SqliteDistributedCache(connection, _time).GetAsync("other"));
    }

    [Fact]
    public async Task AbsoluteExpiration_EndsTheEntry_ByTheInjectedClock()
    {
        var cache = new SqliteDistributedCache(database.NewConnectionString(), _time);
        await cache.SetAsync("k", [7], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10) });

        _time.Advance(TimeSpan.FromMinutes(9));
        var before = await cache.GetAsync("k");
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal([7], before);
        Assert.Null(await cache.GetAsync("k"));
    }

    [Fact]
    public async Task SlidingExpiration_IsExtendedByReads_UpToTheAbsoluteOne()
    {
        var cache = new SqliteDistributedCache(database.NewConnectionString(), _time);
        await cache.SetAsync("k", [7], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(5), AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(12) });

        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.NotNull(await cache.GetAsync("k"));
        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.NotNull(await cache.GetAsync("k"));
        _time.Advance(TimeSpan.FromMinutes(4));

        Assert.Null(await cache.GetAsync("k"));
    }

    [Fact]
    public async Task SlidingExpiration_WithoutReads_Ends()
    {
        var cache = new SqliteDistributedCache(database.NewConnectionString(), _time);
        await cache.SetAsync("k", [7], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(5) });

        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Null(await cache.GetAsync("k"));
    }

    [Fact]
    public async Task SetAgain_Replaces_AndRemove_Deletes()
    {
        var cache = new SqliteDistributedCache(database.NewConnectionString(), _time);
        await cache.SetAsync("k", [1], new DistributedCacheEntryOptions());
        cache.Set("k", [2], new DistributedCacheEntryOptions());

        Assert.Equal([2], cache.Get("k"));
        await cache.RemoveAsync("k");
        Assert.Null(await cache.GetAsync("k"));
    }

    [Fact]
    public async Task ExpirationInThePast_IsRefused_NamingIt()
    {
        var cache = new SqliteDistributedCache(database.NewConnectionString(), _time);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => cache.SetAsync("k", [1], new DistributedCacheEntryOptions { AbsoluteExpiration = _time.GetUtcNow().AddSeconds(-1) }));

        Assert.Contains("in the past", ex.Message, StringComparison.Ordinal);
        Assert.Null(await cache.GetAsync("k"));
    }

    [Fact]
    public void InMemoryDatabase_IsRefusedAtConstruction()
    {
        Assert.Throws<LlmKitConfigurationException>(() => new SqliteDistributedCache("Data Source=:memory:"));
    }
}
