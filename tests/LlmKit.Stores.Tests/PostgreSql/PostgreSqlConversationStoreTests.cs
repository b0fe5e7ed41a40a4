using LlmKit.Stores.Tests.Contracts;
using Npgsql;

namespace LlmKit.Stores.Tests.PostgreSql;

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlConversationStoreTests : ConversationStoreContractTests
{
    private readonly PostgreSqlServerFixture _server;

    public PostgreSqlConversationStoreTests(PostgreSqlServerFixture server)
    {
        _server = server;
    }

    protected override async Task<IConversationStore> CreateStoreAsync(TimeProvider timeProvider)
        => new PostgreSqlConversationStore(await _server.CreateDatabaseAsync(), timeProvider);

    [Fact]
    public async Task MigrateAsync_ManyStoresAtOnce_AppliesEachMigrationOnce()
    {
        var dataSource = await _server.CreateDatabaseAsync();
        // Separate data sources play separate machines: each migrates on its own, serialised by the advisory lock.
        var sources = Enumerable.Range(0, 6).Select(_ => NpgsqlDataSource.Create(dataSource.ConnectionString)).ToList();
        try
        {
            await Task.WhenAll(sources.Select((s, i) => i % 2 == 0
                ? new PostgreSqlConversationStore(s, Time).MigrateAsync()
                : new PostgreSqlUsageLedger(s).GetTotalsAsync(new UsageQuery()).AsTask()));

            await using var command = dataSource.CreateCommand("SELECT string_agg(version::text, ',' ORDER BY version) FROM llmkit_schema_migrations;");
            Assert.Equal("1,2,3,4,5", (string)(await command.ExecuteScalarAsync())!);
        }
        finally
        {
            foreach (var s in sources)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task GetAsync_ServerNotListening_ThrowsStoreUnavailableWithoutThePassword()
    {
        await using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=u;Password=s3cret-pw;Database=d;Timeout=3");
        var store = new PostgreSqlConversationStore(dataSource, Time);

        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync("c1"));

        Assert.Contains("127.0.0.1:1/d", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendAsync_TwoDataSourcesOnOneDatabase_NoMessageLostOrDuplicated()
    {
        var first = await _server.CreateDatabaseAsync();
        await using var second = NpgsqlDataSource.Create(first.ConnectionString);
        var a = new PostgreSqlConversationStore(first, Time);
        var b = new PostgreSqlConversationStore(second, Time);
        await a.CreateAsync(new Conversation { Id = "c1" });

        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => (i % 2 == 0 ? a : b).AppendAsync("c1", [User($"m{i}", "x")]))));

        var loaded = (await b.GetAsync("c1"))!;
        Assert.Equal(100, loaded.Messages.Select(m => m.Message.MessageId).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), loaded.Messages.Select(m => m.Sequence));
    }
}
