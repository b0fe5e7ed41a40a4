using LlmKit.Stores.Tests.Contracts;

namespace LlmKit.Stores.Tests.PostgreSql;

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlBudgetStoreTests : BudgetStoreContractTests
{
    private readonly PostgreSqlServerFixture _server;

    public PostgreSqlBudgetStoreTests(PostgreSqlServerFixture server)
    {
        _server = server;
    }

    protected override async Task<IBudgetStore> CreateStoreAsync() => new PostgreSqlBudgetStore(await _server.CreateDatabaseAsync());
}
