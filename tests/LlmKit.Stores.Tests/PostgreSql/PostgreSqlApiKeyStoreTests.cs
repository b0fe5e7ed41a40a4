using LlmKit.Stores.Tests.Contracts;

namespace LlmKit.Stores.Tests.PostgreSql;

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlApiKeyStoreTests : ApiKeyStoreContractTests
{
    private readonly PostgreSqlServerFixture _server;

    public PostgreSqlApiKeyStoreTests(PostgreSqlServerFixture server)
    {
        _server = server;
    }

    protected override async Task<IApiKeyStore> CreateStoreAsync() => new PostgreSqlApiKeyStore(await _server.CreateDatabaseAsync());
}
