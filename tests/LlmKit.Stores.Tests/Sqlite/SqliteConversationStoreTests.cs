using LlmKit.Stores.Tests.Contracts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace LlmKit.Stores.Tests.Sqlite;

public sealed class SqliteConversationStoreTests : ConversationStoreContractTests, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _files;

    public SqliteConversationStoreTests(SqliteTestDatabase files)
    {
        _files = files;
    }

    protected override Task<IConversationStore> CreateStoreAsync(TimeProvider timeProvider)
        => Task.FromResult<IConversationStore>(new SqliteConversationStore(_files.NewConnectionString(), timeProvider));

    [Fact]
    public async Task MigrateAsync_NewFile_UsesWalAndRecordsEveryMigrationOnce()
    {
        string connectionString = _files.NewConnectionString();
        var first = new SqliteConversationStore(connectionString, Time);
        var second = new SqliteUsageLedger(connectionString);

        await first.MigrateAsync();
        await second.GetTotalsAsync(new UsageQuery());

        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string)mode.ExecuteScalar()!);
        using var versions = connection.CreateCommand();
        versions.CommandText = "SELECT group_concat(version, ',') FROM (SELECT version FROM llmkit_schema_migrations ORDER BY version);";
        Assert.Equal("1,2,3,4,5,6,7,8,9,10,11", (string)versions.ExecuteScalar()!);
    }

    [Fact]
    public async Task MigrateAsync_FileOfSchemaVersion6_KeepsTotalsAndAddsAuxiliaryTotalsFromZero()
    {
        string path = _files.NewPath();
        // The schema and a row as the previous LlmKit left them: migrations 1 to 6, one conversation with totals.
        using (var connection = new SqliteConnection("Data Source=" + path + ";Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE llmkit_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);";
            command.ExecuteNonQuery();
            foreach (var (version, name, sql) in SqliteMigrations.All.Where(m => m.Version <= 6))
            {
                command.CommandText = sql + $" INSERT INTO llmkit_schema_migrations VALUES ({version}, '{name}', 'x');";
                command.ExecuteNonQuery();
            }

            command.CommandText = """
                INSERT INTO llmkit_conversations (id, title, tenant_id, user_id, tags, metadata, created_at, updated_at, model, input_tokens, output_tokens, cost_units, message_count, version)
                VALUES ('c1', NULL, NULL, NULL, '[]', '{}', 0, 0, 'gpt-4o', 120, 30, 25000000, 0, 3);
                """;
            command.ExecuteNonQuery();
        }

        var store = new SqliteConversationStore("Data Source=" + path, Time);
        long updated = await store.UpdateAsync("c1", new ConversationUpdate { AuxiliaryUsage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 2 }, AuxiliaryCost = new CallCost { Total = 0.0005m } }, expectedVersion: 3);

        Assert.Equal(4, updated);
        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(130, loaded.InputTokens);
        Assert.Equal(32, loaded.OutputTokens);
        Assert.Equal(0.003m, loaded.CostUsd);
        Assert.Equal(10, loaded.AuxiliaryInputTokens);
        Assert.Equal(2, loaded.AuxiliaryOutputTokens);
        Assert.Equal(0.0005m, loaded.AuxiliaryCostUsd);
        Assert.Equal(0, loaded.AuxiliaryUnknownCostCalls);
    }

    [Fact]
    public async Task MigrateAsync_SchemaNewerThanThisVersion_ThrowsStoreUnavailable()
    {
        string path = _files.NewPath();
        using (var connection = new SqliteConnection("Data Source=" + path + ";Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE llmkit_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL); INSERT INTO llmkit_schema_migrations VALUES (99, 'future', 'x');";
            command.ExecuteNonQuery();
        }

        var store = new SqliteConversationStore("Data Source=" + path, Time);

        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync("c1"));
        Assert.Contains("99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_FileInMissingDirectoryOrNotADatabase_ThrowsStoreUnavailable()
    {
        var missing = new SqliteConversationStore("Data Source=" + Path.Combine(Path.GetTempPath(), "llmkit-no-such-dir-" + Guid.NewGuid().ToString("N"), "x.db"), Time);
        string garbage = _files.NewPath();
        await File.WriteAllTextAsync(garbage, new string('x', 4096));
        var notADatabase = new SqliteConversationStore("Data Source=" + garbage, Time);

        var ex1 = await Assert.ThrowsAsync<StoreUnavailableException>(() => missing.GetAsync("c1"));
        var ex2 = await Assert.ThrowsAsync<StoreUnavailableException>(() => notADatabase.GetAsync("c1"));

        Assert.Contains("directory does not exist", ex1.Message, StringComparison.Ordinal);
        Assert.Contains("not a SQLite database", ex2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InMemoryOrUnparsableConnectionString_ThrowsConfigurationException()
    {
        Assert.Throws<LlmKitConfigurationException>(() => new SqliteConversationStore("Data Source=:memory:"));
        Assert.Throws<LlmKitConfigurationException>(() => new SqliteConversationStore("Nonsense Keyword=1"));
        Assert.ThrowsAny<ArgumentException>(() => new SqliteConversationStore(" "));
    }

    [Fact]
    public async Task AppendAsync_TwoStoreInstancesOnOneFile_SeeEachOthersMessages()
    {
        string connectionString = _files.NewConnectionString();
        var a = new SqliteConversationStore(connectionString, Time);
        var b = new SqliteConversationStore(connectionString, Time);
        await a.CreateAsync(new Conversation { Id = "c1" });

        await Task.WhenAll(
            Task.Run(() => a.AppendAsync("c1", [User("m1", "from a")])),
            Task.Run(() => b.AppendAsync("c1", [User("m2", "from b")])));

        Assert.Equal(["m1", "m2"], (await b.GetAsync("c1"))!.Messages.Select(m => m.Message.MessageId).Order());
        Assert.Equal(3, (await a.GetAsync("c1"))!.Version);
    }

    [Fact]
    public async Task AppendAsync_AsManyWritesAsTheCheckpointInterval_CopiesTheWalIntoTheFileInTheBackground()
    {
        string path = _files.NewPath();
        var store = new SqliteConversationStore("Data Source=" + path, Time);
        await store.CreateAsync(new Conversation { Id = "c1" });
        for (int i = 1; i < SqliteDatabase.CheckpointInterval; i++)
        {
            await store.AppendAsync("c1", [User($"m{i}", "x")]);
        }

        await store.BackgroundCheckpoint;

        // The database file alone (copied without its WAL) holds what the checkpoint copied into it. These writes fill
        // far fewer than SQLite's 1,000-page automatic checkpoint threshold, so without the background checkpoint the
        // file would not even hold the tables.
        string copy = _files.NewPath();
        File.Copy(path, copy);
        using var connection = new SqliteConnection("Data Source=" + copy + ";Pooling=False");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM llmkit_messages;";
        Assert.Equal(SqliteDatabase.CheckpointInterval - 1, (long)count.ExecuteScalar()!);
    }
}
