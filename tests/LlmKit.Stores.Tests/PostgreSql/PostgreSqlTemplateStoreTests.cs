using LlmKit.Tests.Templates.Store;
using Npgsql;

namespace LlmKit.Stores.Tests.PostgreSql;

/// <summary>The template contract on PostgreSQL: each test gets a fresh database.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlTemplateStoreTests : TemplateStoreContractTests, IAsyncLifetime
{
    private readonly PostgreSqlServerFixture _server;
    private readonly List<NpgsqlDataSource> _others = [];
    private NpgsqlDataSource? _dataSource;

    public PostgreSqlTemplateStoreTests(PostgreSqlServerFixture server)
    {
        _server = server;
    }

    public async Task InitializeAsync() => _dataSource = await _server.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var other in _others)
        {
            await other.DisposeAsync();
        }
    }

    protected override ITemplateStore CreateStore(TimeProvider timeProvider) => new PostgreSqlTemplateStore(_dataSource!, timeProvider);

    /// <summary>A store on its own data source (its own connection pool) over the same database, as a second machine has.</summary>
    protected override ITemplateStore OpenAgain(ITemplateStore store, TimeProvider timeProvider)
    {
        var other = NpgsqlDataSource.Create(_dataSource!.ConnectionString);
        _others.Add(other);
        return new PostgreSqlTemplateStore(other, timeProvider);
    }
}
