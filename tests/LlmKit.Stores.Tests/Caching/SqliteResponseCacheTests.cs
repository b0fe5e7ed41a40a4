using LlmKit.Stores.Tests.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Stores.Tests.Caching;

/// <summary>The response cache over <see cref="SqliteDistributedCache"/>: every machine of a test shares one database file.</summary>
public sealed class SqliteResponseCacheTests : ResponseCacheContractTests, IClassFixture<SqliteTestDatabase>
{
    private readonly string _connectionString;

    public SqliteResponseCacheTests(SqliteTestDatabase database)
    {
        _connectionString = database.NewConnectionString();
    }

    protected override bool SharesAcrossMachines => true;

    protected override void AddSecondLevel(ILlmKitBuilder kit) => kit.UseSqliteCache(_connectionString);
}
