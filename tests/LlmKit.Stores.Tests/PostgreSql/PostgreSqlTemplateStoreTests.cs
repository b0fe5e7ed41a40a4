using LlmKit.Tests.Templates.Store;
using Npgsql;

namespace LlmKit.Stores.Tests.PostgreSql;

/// <summary>The template contract on PostgreSQL: each test gets a fresh database.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlTemplateStoreTests : TemplateStoreContractTests, IAsyncLifetime
{
    private readonly PostgreSqlServerFixture _server;
    private NpgsqlDataSource? _dataSource;

    public PostgreSqlTemplateStoreTests(PostgreSqlServerFixture server)
    {
        _server = server;
    }

    public async Task InitializeAsync() => _dataSource = await _server.CreateDatabaseAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected override ITemplateStore CreateStore(TimeProvider timeProvider) => new PostgreSqlTemplateStore(_dataSource!, timeProvider);
}
