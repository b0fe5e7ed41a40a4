using LlmKit.Stores.Tests.Contracts;

namespace LlmKit.Stores.Tests.Sqlite;

public sealed class SqliteUsageLedgerTests : UsageLedgerContractTests, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _files;

    public SqliteUsageLedgerTests(SqliteTestDatabase files)
    {
        _files = files;
    }

    protected override Task<IUsageLedger> CreateLedgerAsync()
        => Task.FromResult<IUsageLedger>(new SqliteUsageLedger(_files.NewConnectionString()));

    [Fact]
    public async Task RecordAsync_NewInstanceOnTheSameFile_KeepsRecordsAndIdempotency()
    {
        string connectionString = _files.NewConnectionString();
        await new SqliteUsageLedger(connectionString).RecordAsync(Record("r1", Noon, cost: 0.5m));

        var reopened = new SqliteUsageLedger(connectionString);

        Assert.False(await reopened.RecordAsync(Record("r1", Noon, cost: 0.5m)));
        Assert.Equal(0.5m, (await reopened.GetTotalsAsync(new UsageQuery())).KnownCostUsd);
    }
}
