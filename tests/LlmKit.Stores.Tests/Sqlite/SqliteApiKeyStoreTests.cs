using LlmKit.Stores.Tests.Contracts;

namespace LlmKit.Stores.Tests.Sqlite;

public sealed class SqliteApiKeyStoreTests : ApiKeyStoreContractTests, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _files;

    public SqliteApiKeyStoreTests(SqliteTestDatabase files)
    {
        _files = files;
    }

    protected override Task<IApiKeyStore> CreateStoreAsync() => Task.FromResult<IApiKeyStore>(new SqliteApiKeyStore(_files.NewConnectionString()));

    [Fact]
    public async Task A_key_revoked_through_one_instance_is_refused_through_another_on_the_same_file()
    {
        string connectionString = _files.NewConnectionString();
        var first = new ApiKeyIssuer(new SqliteApiKeyStore(connectionString));
        var second = new ApiKeyIssuer(new SqliteApiKeyStore(connectionString));
        var issued = await first.CreateAsync(new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Chat] });
        Assert.Equal(ApiKeyVerificationStatus.Valid, (await second.VerifyAsync(issued.Key)).Status);

        await first.RevokeAsync(issued.Record.Id);

        Assert.Equal(ApiKeyVerificationStatus.Revoked, (await second.VerifyAsync(issued.Key)).Status);
    }
}
