using LlmKit.Stores.Tests.Contracts;

namespace LlmKit.Stores.Tests.Sqlite;

public sealed class SqliteBudgetStoreTests : BudgetStoreContractTests, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _files;

    public SqliteBudgetStoreTests(SqliteTestDatabase files)
    {
        _files = files;
    }

    protected override Task<IBudgetStore> CreateStoreAsync() => Task.FromResult<IBudgetStore>(new SqliteBudgetStore(_files.NewConnectionString()));

    [Fact]
    public async Task TryReserveAsync_SecondInstanceOnTheSameFile_SeesTheFirstInstancesHoldsAndAlerts()
    {
        string connectionString = _files.NewConnectionString();
        var key = Daily("daily", BudgetScope.Tenant("acme"), Day1);
        var first = new SqliteBudgetStore(connectionString);
        await first.TryReserveAsync(key, "r1", 6m, 10m, Noon);
        await first.TryMarkAlertAsync(key, 0.5m);

        var second = new SqliteBudgetStore(connectionString);

        Assert.False(await second.TryReserveAsync(key, "r2", 5m, 10m, Noon));
        Assert.False(await second.TryMarkAlertAsync(key, 0.5m));
        Assert.Equal(2.5m, await second.SettleAsync(key, "r1", 2.5m, Noon));
        Assert.Equal(new BudgetWindowUsage(2.5m, 0m), await first.GetAsync(key, Noon));
    }
}
