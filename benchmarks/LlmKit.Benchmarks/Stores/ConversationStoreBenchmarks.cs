using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Npgsql;

namespace LlmKit.Benchmarks;

/// <summary>
/// The durable conversation stores (issue 6) on 10,000 conversations and 1,000,000 messages: appending one message (to a
/// conversation of about 100 messages, and to one of 10,000), listing one page, and a full-text search. The data is seeded once through the stores' own API into a cache under
/// the temp directory (<c>llmkit-bench-stores</c>: a SQLite file and a PostgreSQL data directory) and reused by later
/// runs; the PostgreSQL server is started from the installed binaries for the run.
/// </summary>
[MedianColumn]
public class ConversationStoreBenchmarks
{
    private static readonly string CacheDirectory = Path.Combine(Path.GetTempPath(), "llmkit-bench-stores");

    private readonly ConversationQuery _page = new() { PageSize = 50, TenantId = "tenant-3" };
    private readonly ConversationQuery _hits = new() { PageSize = 20 };

    // Conversation i of the data set was created at 2026-01-01 + 7i minutes: a week holds about 1,440 of them, spread
    // through the update order by the appends of earlier runs; the first hour holds 9, so listing it reads every row.
    private readonly ConversationQuery _createdWeek = new() { PageSize = 50, CreatedAfter = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), CreatedBefore = new DateTimeOffset(2026, 1, 8, 0, 0, 0, TimeSpan.Zero) };
    private readonly ConversationQuery _createdHour = new() { PageSize = 50, CreatedAfter = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), CreatedBefore = new DateTimeOffset(2026, 1, 1, 1, 0, 0, TimeSpan.Zero) };
    /// <summary>The messages the long conversation of <see cref="AppendLong"/> holds at least.</summary>
    public const int LongConversationMessages = 10_000;

    private static readonly string LongConversationId = StoreBenchmarkData.ConversationId(StoreBenchmarkData.Conversations - 1);

    private IConversationStore _store = null!;
    private BenchmarkPostgres? _server;
    private NpgsqlDataSource? _dataSource;
    private string _sqliteFloor = "";
    private long _appends;
    private int _searches;

    [Params("SQLite", "PostgreSQL")]
    public string Store { get; set; } = "SQLite";

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        _dataSource?.Dispose();
        _server?.Dispose();
        SqliteConnection.ClearAllPools();
    }

    [Benchmark(Description = "append one message")]
    public Task<long> Append()
    {
        long n = Interlocked.Increment(ref _appends);
        string id = StoreBenchmarkData.ConversationId((int)(n * 7919 % StoreBenchmarkData.Conversations));
        var message = new ConversationMessage { Message = new ChatMessage(ChatRole.User, "one more question about w1f and w2a") { MessageId = "bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + n.ToString(CultureInfo.InvariantCulture) } };
        return _store.AppendAsync(id, [message]);
    }

    /// <summary>
    /// One message appended to the data set's last conversation, which <see cref="Setup"/> grows to
    /// <see cref="LongConversationMessages"/> messages: an append must cost the same however long the conversation is
    /// (the PostgreSQL append's stored-id check once read every message of the conversation).
    /// </summary>
    /// <returns>The conversation's new version.</returns>
    [Benchmark(Description = "append one message to a 10,000-message conversation")]
    public Task<long> AppendLong()
    {
        long n = Interlocked.Increment(ref _appends);
        var message = new ConversationMessage { Message = new ChatMessage(ChatRole.User, "one more question about w1f and w2a") { MessageId = "bench-long-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + n.ToString(CultureInfo.InvariantCulture) } };
        return _store.AppendAsync(LongConversationId, [message]);
    }

    /// <summary>
    /// The floor under an append on the same database and connections: one durable one-row INSERT (its own commit, and on
    /// PostgreSQL one round trip through the same pooled data source). Not a store operation; stores-quick prints it
    /// beside the append so a figure from a noisy machine can be read against what a commit costs there at that time.
    /// </summary>
    /// <returns>The rows inserted (1).</returns>
    public async Task<int> CommitFloor()
    {
        if (_dataSource is { } dataSource)
        {
            await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
            await using var insert = new NpgsqlCommand("INSERT INTO llmkit_bench_commit_floor (at) VALUES ($1);", connection);
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = DateTimeOffset.UtcNow });
            await insert.PrepareAsync().ConfigureAwait(false);
            return await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await using var sqlite = new SqliteConnection(_sqliteFloor);
        await sqlite.OpenAsync().ConfigureAwait(false);
        await using var command = sqlite.CreateCommand();
        command.CommandText = "INSERT INTO bench_commit_floor (at) VALUES ($at);";
        command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    [Benchmark(Description = "list page (50, tenant filter)")]
    public Task<ConversationPage> ListPage() => _store.ListAsync(_page);

    [Benchmark(Description = "list page (50, created in one week)")]
    public Task<ConversationPage> ListPageCreatedWeek() => _store.ListAsync(_createdWeek);

    [Benchmark(Description = "list page (created in one hour: 9 of 10,000, reads all)")]
    public Task<ConversationPage> ListPageCreatedHour() => _store.ListAsync(_createdHour);

    [Benchmark(Description = "full-text search (top 20)")]
    public Task<IReadOnlyList<ConversationSearchHit>> Search()
        => _store.SearchAsync(StoreBenchmarkData.Word(1000 + (Interlocked.Increment(ref _searches) % 64)), _hits);

    private async Task SetupAsync()
    {
        Directory.CreateDirectory(CacheDirectory);
        if (Store == "SQLite")
        {
            string path = Path.Combine(CacheDirectory, "conversations.db");
            if (!File.Exists(path))
            {
                string seeding = path + ".seeding";
                File.Delete(seeding);
                await StoreBenchmarkData.SeedAsync(new SqliteConversationStore("Data Source=" + seeding), parallelism: 1).ConfigureAwait(false);
                SqliteConnection.ClearAllPools();
                using (var connection = new SqliteConnection("Data Source=" + seeding + ";Pooling=False"))
                {
                    // Everything into the file itself before it is renamed without its WAL.
                    connection.Open();
                    using var checkpoint = connection.CreateCommand();
                    checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
                    checkpoint.ExecuteNonQuery();
                }

                File.Move(seeding, path);
            }

            _store = new SqliteConversationStore("Data Source=" + path);
            // The commit floor's table lives in a file of its own beside the store's, in the store's journal mode and sync level.
            _sqliteFloor = "Data Source=" + Path.Combine(CacheDirectory, "commit-floor.db");
            await using var floor = new SqliteConnection(_sqliteFloor);
            await floor.OpenAsync().ConfigureAwait(false);
            await using var create = floor.CreateCommand();
            create.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE IF NOT EXISTS bench_commit_floor (id INTEGER PRIMARY KEY, at INTEGER NOT NULL);";
            await create.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        else
        {
            string directory = Path.Combine(CacheDirectory, "pg");
            string marker = Path.Combine(CacheDirectory, "pg.seeded");
            if (!File.Exists(marker) && Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            _server = BenchmarkPostgres.Start(directory);
            // Built as UsePostgreSqlStores(connectionString) builds it, so the store runs as apps get it.
            _dataSource = PostgreSqlStoresDataSource.Create(_server.ConnectionString("postgres"));
            _store = new PostgreSqlConversationStore(_dataSource);
            if (!File.Exists(marker))
            {
                await StoreBenchmarkData.SeedAsync(_store, parallelism: 4).ConfigureAwait(false);
                await using (var analyze = _dataSource.CreateCommand("VACUUM ANALYZE;"))
                {
                    await analyze.ExecuteNonQueryAsync().ConfigureAwait(false);
                }

                await File.WriteAllTextAsync(marker, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)).ConfigureAwait(false);
            }
        }

        if (_dataSource is { } source)
        {
            await using var floor = source.CreateCommand("CREATE TABLE IF NOT EXISTS llmkit_bench_commit_floor (id bigserial PRIMARY KEY, at timestamptz NOT NULL);");
            await floor.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        // The long conversation: the last one of the data set, grown once (and kept) to LongConversationMessages messages.
        var longConversation = await _store.GetAsync(LongConversationId, includeMessages: false).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The seeded data has no conversation '{LongConversationId}'; delete {CacheDirectory} to seed it again.");
        for (long have = longConversation.MessageCount; have < LongConversationMessages; have += 500)
        {
            var batch = new ConversationMessage[500];
            for (int i = 0; i < batch.Length; i++)
            {
                string text = StoreBenchmarkData.Word((int)((have + i) % StoreBenchmarkData.VocabularySize)) + " " + StoreBenchmarkData.Word((int)((have + i) * 31 % StoreBenchmarkData.VocabularySize));
                batch[i] = new ConversationMessage { Message = new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, text) { MessageId = "long-" + (have + i).ToString(CultureInfo.InvariantCulture) } };
            }

            await _store.AppendAsync(LongConversationId, batch).ConfigureAwait(false);
        }

        var statistics = await _store.GetStatisticsAsync().ConfigureAwait(false);
        Console.WriteLine($"// {Store}: {statistics.Conversations} conversations, {statistics.Messages} messages");
    }
}
