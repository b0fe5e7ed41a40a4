using LlmKit.Stores.Tests.Contracts;
using Npgsql;

namespace LlmKit.Stores.Tests.PostgreSql;

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlConversationStoreTests : ConversationStoreContractTests
{
    private readonly PostgreSqlServerFixture _server;

    public PostgreSqlConversationStoreTests(PostgreSqlServerFixture server)
    {
        _server = server;
    }

    protected override async Task<IConversationStore> CreateStoreAsync(TimeProvider timeProvider)
        => new PostgreSqlConversationStore(await _server.CreateDatabaseAsync(), timeProvider);

    [Fact]
    public async Task MigrateAsync_ManyStoresAtOnce_AppliesEachMigrationOnce()
    {
        var dataSource = await _server.CreateDatabaseAsync();
        // Separate data sources play separate machines: each migrates on its own, serialised by the advisory lock.
        var sources = Enumerable.Range(0, 6).Select(_ => NpgsqlDataSource.Create(dataSource.ConnectionString)).ToList();
        try
        {
            await Task.WhenAll(sources.Select((s, i) => i % 2 == 0
                ? new PostgreSqlConversationStore(s, Time).MigrateAsync()
                : new PostgreSqlUsageLedger(s).GetTotalsAsync(new UsageQuery()).AsTask()));

            await using var command = dataSource.CreateCommand("SELECT string_agg(version::text, ',' ORDER BY version) FROM llmkit_schema_migrations;");
            Assert.Equal("1,2,3,4,5,6,7,8,9,10,11,12,13", (string)(await command.ExecuteScalarAsync())!);
        }
        finally
        {
            foreach (var s in sources)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task GetAsync_ServerNotListening_ThrowsStoreUnavailableWithoutThePassword()
    {
        await using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=u;Password=s3cret-pw;Database=d;Timeout=3");
        var store = new PostgreSqlConversationStore(dataSource, Time);

        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync("c1"));

        Assert.Contains("127.0.0.1:1/d", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendAsync_TablesAlteredByAnotherProcessAfterThePrepare_StillAppends()
    {
        // One pooled connection, so the second and third appends reuse the statement prepared by the first.
        var database = await _server.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString + ";Maximum Pool Size=1");
        var store = new PostgreSqlConversationStore(dataSource, Time);
        await store.CreateAsync(new Conversation { Id = "c1" });
        await store.AppendAsync("c1", [User("m1", "before")]);

        // Another process changes the tables the append function touches (as a later migration would).
        await using (var other = NpgsqlDataSource.Create(database.ConnectionString))
        await using (var alter = other.CreateCommand("ALTER TABLE llmkit_messages ADD COLUMN extra_note text; ALTER TABLE llmkit_conversations ADD COLUMN extra_flag integer NOT NULL DEFAULT 0;"))
        {
            await alter.ExecuteNonQueryAsync();
        }

        long version = await store.AppendAsync("c1", [User("m2", "after")]);
        await store.AppendAsync("c1", [User("m3", "again")], expectedVersion: version);

        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(["m1", "m2", "m3"], loaded.Messages.Select(m => m.Message.MessageId));
        Assert.Equal(3, loaded.MessageCount);
    }

    [Fact]
    public async Task AppendAsync_TwoDataSourcesOnOneDatabase_NoMessageLostOrDuplicated()
    {
        var first = await _server.CreateDatabaseAsync();
        await using var second = NpgsqlDataSource.Create(first.ConnectionString);
        var a = new PostgreSqlConversationStore(first, Time);
        var b = new PostgreSqlConversationStore(second, Time);
        await a.CreateAsync(new Conversation { Id = "c1" });

        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => (i % 2 == 0 ? a : b).AppendAsync("c1", [User($"m{i}", "x")]))));

        var loaded = (await b.GetAsync("c1"))!;
        Assert.Equal(100, loaded.Messages.Select(m => m.Message.MessageId).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), loaded.Messages.Select(m => m.Sequence));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseOfSchemaVersion4_KeepsItsConversationsSearchableAndAppendsInOneStatement()
    {
        var dataSource = await _server.CreateDatabaseAsync();
        // The schema and rows as the previous LlmKit left them: migrations 1 to 4, one conversation with two messages.
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using (var create = new NpgsqlCommand("CREATE TABLE llmkit_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());", connection))
            {
                await create.ExecuteNonQueryAsync();
            }

            foreach (var (version, name, sql) in PostgreSqlMigrations.All.Where(m => m.Version <= 4))
            {
                await using var apply = new NpgsqlCommand(sql + $" INSERT INTO llmkit_schema_migrations (version, name) VALUES ({version}, '{name}');", connection);
                await apply.ExecuteNonQueryAsync();
            }

            await using var rows = new NpgsqlCommand("""
                INSERT INTO llmkit_conversations (id, title, tenant_id, user_id, tags, metadata, created_at, updated_at, model, input_tokens, output_tokens, cost_usd, message_count, version)
                VALUES ('c1', 'Old trip', 'acme', NULL, '[]', '{}', '2026-03-01T09:00:00Z', '2026-03-01T09:00:00Z', 'gpt-4o', 120, 30, 0.0025, 2, 3);
                INSERT INTO llmkit_messages (conversation_id, seq, message_id, role, created_at, status, text, body) VALUES
                    ('c1', 1, 'm1', 'user', '2026-03-01T09:00:00Z', 0, 'find a giraffe hotel', @m1),
                    ('c1', 2, 'm2', 'assistant', '2026-03-01T09:00:00Z', 0, 'here is one', @m2);
                """, connection);
            rows.Parameters.AddWithValue("m1", ConversationJson.SerializeMessage(User("m1", "find a giraffe hotel")));
            rows.Parameters.AddWithValue("m2", ConversationJson.SerializeMessage(Assistant("m2", "here is one", 120, 30, 0.0025m)));
            await rows.ExecuteNonQueryAsync();
        }

        var store = new PostgreSqlConversationStore(dataSource, Time);
        await store.MigrateAsync();

        var hit = Assert.Single(await store.SearchAsync("giraffe"));
        Assert.Equal("c1", hit.ConversationId);
        Assert.Equal("m1", hit.MessageId);
        long appended = await store.AppendAsync("c1", [User("m2", "here is one"), Assistant("m3", "a giraffe suite", 10, 5, 0.001m, "gpt-4o-mini")], expectedVersion: 3);
        Assert.Equal(4, appended);
        var loaded = (await store.GetAsync("c1"))!;
        Assert.Equal(["m1", "m2", "m3"], loaded.Messages.Select(m => m.Message.MessageId));
        Assert.Equal([1L, 2, 3], loaded.Messages.Select(m => m.Sequence));
        Assert.Equal("find a giraffe hotel", loaded.Messages[0].Message.Text);
        Assert.Equal(130, loaded.InputTokens);
        Assert.Equal(35, loaded.OutputTokens);
        Assert.Equal(0.0035m, loaded.CostUsd);
        Assert.Equal(0, loaded.AuxiliaryInputTokens);
        Assert.Equal(0m, loaded.AuxiliaryCostUsd);
        Assert.Equal(0, loaded.AuxiliaryUnknownCostCalls);
        Assert.Equal("gpt-4o-mini", loaded.Model);
        Assert.Equal(3, loaded.MessageCount);
        Assert.Equal("m3", Assert.Single(await store.SearchAsync("suite")).MessageId);
        await using var versions = dataSource.CreateCommand("SELECT string_agg(version::text, ',' ORDER BY version) FROM llmkit_schema_migrations;");
        Assert.Equal("1,2,3,4,5,6,7,8,9,10,11,12,13", (string)(await versions.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task AppendAsync_ExpectedVersionOnAConversationWithoutNewMessages_ReturnsTheVersionWithoutAConflict()
    {
        var store = new PostgreSqlConversationStore(await _server.CreateDatabaseAsync(), Time);
        await store.CreateAsync(new Conversation { Id = "c1", Messages = [User("m1", "a")] });

        long version = await store.AppendAsync("c1", [], expectedVersion: 7);

        Assert.Equal(1, version);
        Assert.Equal(1, (await store.GetAsync("c1"))!.MessageCount);
    }

    [Fact]
    public async Task AppendAsync_ManyNewSearchWords_PendingSearchEntriesStayUnderTheCap()
    {
        var dataSource = await _server.CreateDatabaseAsync();
        var store = new PostgreSqlConversationStore(dataSource, Time);
        await store.CreateAsync(new Conversation { Id = "c1" });
        await using (var extension = dataSource.CreateCommand("CREATE EXTENSION IF NOT EXISTS pgstattuple;"))
        {
            await extension.ExecuteNonQueryAsync();
        }

        // 30 appends of 40 messages of 150 words seen nowhere else: about 180,000 pending entries in all (several MB,
        // which PostgreSQL's default 4 MB limit would mostly keep pending), at most about 6,000 (about 170 kB) per append.
        var largest = 0L;
        for (int batch = 0; batch < 30; batch++)
        {
            var messages = Enumerable.Range(0, 40)
                .Select(i => User($"b{batch}m{i}", string.Join(' ', Enumerable.Range(0, 150).Select(k => $"t{batch}x{i}y{k}"))))
                .ToList();
            await store.AppendAsync("c1", messages);
            await using var pending = dataSource.CreateCommand("SELECT pending_pages FROM pgstatginindex('ix_llmkit_messages_search');");
            largest = Math.Max(largest, Convert.ToInt64(await pending.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        }

        // The cap is 512 kB (64 pages); an append may pass it by its own entries before it merges the list.
        Assert.InRange(largest, 1, 64 + 24);
        Assert.Equal("b29m39", Assert.Single(await store.SearchAsync("t29x39y149")).MessageId);
        Assert.Equal("b0m0", Assert.Single(await store.SearchAsync("t0x0y0")).MessageId);
    }
    [Theory]
    [InlineData("one", 1)] // the usual one-statement append of one message: one new id
    [InlineData("many", 2)] // the usual one-statement append of several messages: two new ids
    [InlineData("function", 1)] // the function a retried or racing append goes to: one stored id, one new
    public async Task AppendAsync_LongConversation_LooksUpEachIdInsteadOfReadingEveryMessage(string statement, int expectedNew)
    {
        var dataSource = await _server.CreateDatabaseAsync();
        var store = new PostgreSqlConversationStore(dataSource, Time);
        await store.CreateAsync(new Conversation { Id = "long", Messages = Enumerable.Range(0, 1500).Select(i => User($"m{i}", "hello")).ToList() });

        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // The plan every pooled connection ends up with: the plan cache switches to the generic plan after five calls.
        await using (var generic = new NpgsqlCommand("SET LOCAL plan_cache_mode = force_generic_plan;", connection, transaction))
        {
            await generic.ExecuteNonQueryAsync();
        }

        // The parameters as the server sees them (built here, not through the store, so the SQL text is what is tested).
        var now = Time.GetUtcNow();
        string sql = statement switch
        {
            "one" => PostgreSqlConversationStore.FastAppendOneSql,
            "many" => PostgreSqlConversationStore.FastAppendSql,
            _ => "SELECT outcome FROM llmkit_append_messages($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13);",
        };
        await using (var append = new NpgsqlCommand(sql, connection, transaction))
        {
            var p = append.Parameters;
            p.Add(new NpgsqlParameter<string> { TypedValue = "long" });
            p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint, Value = DBNull.Value });
            p.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            if (statement == "one")
            {
                p.Add(new NpgsqlParameter<string> { TypedValue = "new-1" });
                p.Add(new NpgsqlParameter<string> { TypedValue = "user" });
                p.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
                p.Add(new NpgsqlParameter<short> { TypedValue = 0 });
                p.Add(new NpgsqlParameter<string> { TypedValue = "one" });
                p.Add(new NpgsqlParameter<string> { TypedValue = "{}" });
            }
            else
            {
                p.Add(new NpgsqlParameter<string[]> { TypedValue = statement == "function" ? ["m700", "new-1"] : ["new-1", "new-2"] });
                p.Add(new NpgsqlParameter<string[]> { TypedValue = ["user", "user"] });
                p.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [now, now] });
                p.Add(new NpgsqlParameter<short[]> { TypedValue = [0, 0] });
                p.Add(new NpgsqlParameter<string[]> { TypedValue = ["one", "two"] });
                p.Add(new NpgsqlParameter<string[]> { TypedValue = ["{}", "{}"] });
            }

            if (statement == "function")
            {
                p.Add(new NpgsqlParameter<long[]> { TypedValue = [0, 0] });
                p.Add(new NpgsqlParameter<long[]> { TypedValue = [0, 0] });
                p.Add(new NpgsqlParameter<decimal[]> { TypedValue = [0m, 0m] });
                p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text, Value = new string?[] { null, null } });
            }
            else
            {
                p.Add(new NpgsqlParameter<long> { TypedValue = 0 });
                p.Add(new NpgsqlParameter<long> { TypedValue = 0 });
                p.Add(new NpgsqlParameter<decimal> { TypedValue = 0m });
                p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, Value = DBNull.Value });
            }

            await append.PrepareAsync();
            await append.ExecuteNonQueryAsync();
        }

        // Index entries of the messages' indexes read in this transaction so far (idx_tup_read of pg_stat_all_indexes, for
        // this transaction only): one lookup per id, not the conversation's 1,500.
        await using (var read = new NpgsqlCommand("SELECT coalesce(sum(pg_stat_get_xact_tuples_returned(indexrelid)), 0)::bigint FROM pg_index WHERE indrelid = 'llmkit_messages'::regclass;", connection, transaction))
        {
            Assert.InRange((long)(await read.ExecuteScalarAsync())!, 0, 10);
        }

        await using (var count = new NpgsqlCommand("SELECT count(*) FROM llmkit_messages WHERE conversation_id = 'long';", connection, transaction))
        {
            Assert.Equal(1500L + expectedNew, (long)(await count.ExecuteScalarAsync())!);
        }
    }
}
