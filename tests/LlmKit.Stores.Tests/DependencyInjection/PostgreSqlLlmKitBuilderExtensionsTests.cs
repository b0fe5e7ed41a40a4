using LlmKit.Stores.Tests.PostgreSql;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Stores.Tests.DependencyInjection;

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlLlmKitBuilderExtensionsTests
{
    private readonly PostgreSqlServerFixture _server;

    public PostgreSqlLlmKitBuilderExtensionsTests(PostgreSqlServerFixture server)
    {
        _server = server;
    }

    [Fact]
    public async Task UsePostgreSqlStores_ConnectionString_ReplacesTheInMemoryStoresAndWorks()
    {
        string connectionString = (await _server.CreateDatabaseAsync()).ConnectionString;
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.UsePostgreSqlStores(connectionString));
        await using var sp = services.BuildServiceProvider();

        var store = Assert.IsType<PostgreSqlConversationStore>(sp.GetRequiredService<IConversationStore>());
        var ledger = Assert.IsType<PostgreSqlUsageLedger>(sp.GetRequiredService<IUsageLedger>());
        await store.CreateAsync(new Conversation { Id = "c1", Title = "through DI" });
        Assert.True(await ledger.RecordAsync(new UsageRecord { RequestId = "r1", Timestamp = DateTimeOffset.UnixEpoch, InputTokens = 5 }));

        Assert.Equal("through DI", (await store.GetAsync("c1"))!.Title);
        Assert.Equal(5, (await ledger.GetTotalsAsync(new UsageQuery())).InputTokens);
        Assert.Single(services, d => d.ServiceType == typeof(IConversationStore));
    }

    [Fact]
    public async Task UsePostgreSqlStores_TemplatesAndBudgets_AreKeptInTheDatabase()
    {
        string connectionString = (await _server.CreateDatabaseAsync()).ConnectionString;
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.UsePostgreSqlStores(connectionString));
        await using var sp = services.BuildServiceProvider();

        var templates = Assert.IsType<PostgreSqlTemplateStore>(sp.GetRequiredService<ITemplateStore>());
        var budgets = Assert.IsType<PostgreSqlBudgetStore>(sp.GetRequiredService<IBudgetStore>());
        await templates.SaveAsync(new PromptTemplate { Id = "t", Messages = [new(Microsoft.Extensions.AI.ChatRole.User, "hi")] });
        var key = new BudgetWindowKey("b", BudgetScope.Global, DateTimeOffset.UnixEpoch);
        Assert.True(await budgets.TryReserveAsync(key, "r", 2m, 3m, DateTimeOffset.UnixEpoch));

        await using var other = Npgsql.NpgsqlDataSource.Create(connectionString);
        Assert.Equal(1, (await new PostgreSqlTemplateStore(other).GetAsync("t"))!.Version);
        Assert.False(await new PostgreSqlBudgetStore(other).TryReserveAsync(key, "r2", 2m, 3m, DateTimeOffset.UnixEpoch));
        Assert.Single(services, d => d.ServiceType == typeof(IBudgetStore));
    }

    [Theory]
    [InlineData("", "kept")]
    [InlineData(";No Reset On Close=false", "reset")]
    public async Task UsePostgreSqlStores_ConnectionString_PooledConnectionsAreNotResetUnlessTheStringSaysSo(string option, string expected)
    {
        // One physical connection, so the second open gets the first one back from the pool.
        string connectionString = (await _server.CreateDatabaseAsync()).ConnectionString + ";Maximum Pool Size=1" + option;
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.UsePostgreSqlStores(connectionString));
        await using var sp = services.BuildServiceProvider();
        var dataSource = sp.GetRequiredService<PostgreSqlStoresDataSource>().DataSource;

        await using (var first = await dataSource.OpenConnectionAsync())
        {
            await using var set = new Npgsql.NpgsqlCommand("SET application_name = 'left-by-first';", first);
            await set.ExecuteNonQueryAsync();
        }

        string? seen;
        await using (var second = await dataSource.OpenConnectionAsync())
        {
            await using var show = new Npgsql.NpgsqlCommand("SHOW application_name;", second);
            seen = (string?)await show.ExecuteScalarAsync();
        }

        Assert.Equal(expected == "kept" ? "left-by-first" : "", seen);
    }
}
