using LlmKit.Stores.Tests.Contracts;

namespace LlmKit.Stores.Tests.PostgreSql;

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlUsageLedgerTests : UsageLedgerContractTests
{
    private readonly PostgreSqlServerFixture _server;

    public PostgreSqlUsageLedgerTests(PostgreSqlServerFixture server)
    {
        _server = server;
    }

    protected override async Task<IUsageLedger> CreateLedgerAsync() => new PostgreSqlUsageLedger(await _server.CreateDatabaseAsync());
}
