using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace LlmKit;

/// <summary>
/// One SQLite database file shared by the SQLite stores: opens pooled connections with WAL, a busy timeout and
/// foreign keys; applies the schema migrations once; and serialises this process's writers through one gate per
/// file, so they queue in order instead of spinning on SQLite's single write lock (other processes still wait on
/// the busy timeout). Every <see cref="CheckpointInterval"/> writes it starts a passive WAL checkpoint on a thread-pool
/// thread, so the commit that crosses SQLite's automatic checkpoint threshold (1,000 pages) rarely has to copy the WAL
/// into the database file and sync it itself (a 5 to 30 ms stall on a 1 GB file); SQLite's automatic checkpoint stays
/// on as the safety net.
/// </summary>
internal sealed class SqliteDatabase
{
    /// <summary>How long a statement waits for another process's write lock before failing. 30 seconds.</summary>
    public const int BusyTimeoutMilliseconds = 30_000;

    /// <summary>How many writes of this process to one file start a background checkpoint. 32 (about 500 WAL pages of conversation appends).</summary>
    public const int CheckpointInterval = 32;

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriterGates = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, FileState> Files = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Lazy<Task>> Migrations = new(StringComparer.Ordinal);

    private readonly string _connectionString;
    private readonly FileState _file;
    private readonly SemaphoreSlim _writerGate;
    private readonly string _migrationKey;

    public SqliteDatabase(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new LlmKitConfigurationException("The SQLite connection string cannot be parsed. Use the form 'Data Source=llmkit.db'.", ex);
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            throw new LlmKitConfigurationException("The SQLite stores need a database file ('Data Source=llmkit.db'); an in-memory SQLite database is not shared between connections. Use the in-memory stores instead.");
        }

        builder.DefaultTimeout = BusyTimeoutMilliseconds / 1000;
        builder.Pooling = true;
        _connectionString = builder.ToString();
        DataSource = Path.GetFullPath(builder.DataSource);
        _writerGate = WriterGates.GetOrAdd(DataSource, static _ => new SemaphoreSlim(1, 1));
        _file = Files.GetOrAdd(DataSource, static _ => new FileState());
        _migrationKey = DataSource;
    }

    /// <summary>Gets the full path of the database file (no secrets).</summary>
    public string DataSource { get; }

    /// <summary>Applies the migrations this version knows and the database lacks (once per file and process).</summary>
    public Task MigrateAsync(CancellationToken cancellationToken)
    {
        var lazy = Migrations.GetOrAdd(_migrationKey, _ => new Lazy<Task>(() => RunMigrationsAsync(CancellationToken.None)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            // A failed attempt (file not reachable) is retried on the next call.
            Migrations.TryRemove(new KeyValuePair<string, Lazy<Task>>(_migrationKey, lazy));
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Opens a connection for reading (after the migrations).</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken).ConfigureAwait(false);
        return await OpenRawAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> in a read transaction (a consistent snapshot of the WAL).</summary>
    public async Task<T> ReadAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                using var transaction = connection.BeginTransaction(deferred: true);
                return work(connection, transaction);
            }
            catch (SqliteException ex)
            {
                throw Unavailable(ex);
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> in a write transaction (BEGIN IMMEDIATE) and commits it; rolls back on any exception.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken).ConfigureAwait(false);
        await _writerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await OpenRawAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                try
                {
                    if (Interlocked.Exchange(ref _file.CheckpointFailure, null) is not null)
                    {
                        // The last background checkpoint failed: run it here, so a lasting fault surfaces to a caller.
                        Checkpoint(connection);
                    }

                    // Not deferred: BEGIN IMMEDIATE takes the write lock up front, so the transaction never fails to upgrade.
                    T result;
                    using (var transaction = connection.BeginTransaction(deferred: false))
                    {
                        result = work(connection, transaction);
                        transaction.Commit();
                    }

                    if (++_file.WritesSinceCheckpoint >= CheckpointInterval && _file.Checkpointing.IsCompleted)
                    {
                        _file.WritesSinceCheckpoint = 0;
                        _file.Checkpointing = Task.Run(CheckpointInBackgroundAsync, CancellationToken.None);
                    }

                    return result;
                }
                catch (SqliteException ex)
                {
                    throw Unavailable(ex);
                }
            }
        }
        finally
        {
            _writerGate.Release();
        }
    }

    /// <summary>Gets the background checkpoint in flight (or the last one, completed). For tests.</summary>
    internal Task BackgroundCheckpoint => _file.Checkpointing;

    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");
            pragmas.ExecuteNonQuery();
            return connection;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw Unavailable(ex);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static void Checkpoint(SqliteConnection connection)
    {
        // PASSIVE: copies what it can without waiting for readers or blocking writers (WAL mode lets both go on).
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        checkpoint.ExecuteNonQuery();
    }

    private async Task CheckpointInBackgroundAsync()
    {
        try
        {
            var connection = await OpenRawAsync(CancellationToken.None).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                Checkpoint(connection);
            }
        }
        catch (Exception ex) when (ex is SqliteException or StoreUnavailableException)
        {
            // Not lost: the next write of this process to the file runs the checkpoint itself and reports the fault.
            Volatile.Write(ref _file.CheckpointFailure, ex);
        }
    }

    private async Task RunMigrationsAsync(CancellationToken cancellationToken)
    {
        await _writerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            string? directory = Path.GetDirectoryName(DataSource);
            if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
            {
                throw new StoreUnavailableException($"The SQLite database '{DataSource}' cannot be created: its directory does not exist. Create the directory or change the Data Source.");
            }

            var connection = await OpenRawAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                try
                {
                    using (var wal = connection.CreateCommand())
                    {
                        wal.CommandText = "PRAGMA journal_mode = WAL;";
                        wal.ExecuteNonQuery();
                    }

                    using var transaction = connection.BeginTransaction(deferred: false);
                    using (var create = Command(connection, transaction, "CREATE TABLE IF NOT EXISTS llmkit_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);"))
                    {
                        create.ExecuteNonQuery();
                    }

                    long current;
                    using (var max = Command(connection, transaction, "SELECT coalesce(max(version), 0) FROM llmkit_schema_migrations;"))
                    {
                        current = (long)max.ExecuteScalar()!;
                    }

                    int latest = SqliteMigrations.All[^1].Version;
                    if (current > latest)
                    {
                        throw new StoreUnavailableException(string.Create(CultureInfo.InvariantCulture, $"The SQLite database '{DataSource}' has schema version {current}, newer than this LlmKit understands ({latest}). Upgrade LlmKit."));
                    }

                    foreach (var (version, name, sql) in SqliteMigrations.All)
                    {
                        if (version <= current)
                        {
                            continue;
                        }

                        using (var apply = Command(connection, transaction, sql))
                        {
                            apply.ExecuteNonQuery();
                        }

                        using var record = Command(connection, transaction, "INSERT INTO llmkit_schema_migrations (version, name, applied_at) VALUES ($v, $n, $t);");
                        record.Parameters.AddWithValue("$v", version);
                        record.Parameters.AddWithValue("$n", name);
                        record.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                        record.ExecuteNonQuery();
                    }

                    transaction.Commit();
                }
                catch (SqliteException ex)
                {
                    throw Unavailable(ex);
                }
            }
        }
        finally
        {
            _writerGate.Release();
        }
    }

    private StoreUnavailableException Unavailable(SqliteException ex)
    {
        string what = ex.SqliteErrorCode switch
        {
            5 or 6 => "is locked by another process for longer than the busy timeout",
            8 => "is read-only",
            10 => "cannot be read or written (I/O error)",
            11 or 26 => "is not a SQLite database or is corrupt",
            13 => "is full (the disk has no space left)",
            14 => "cannot be opened (check the path and permissions)",
            _ => "failed: " + ex.Message,
        };
        return new StoreUnavailableException($"The SQLite database '{DataSource}' {what}.", ex);
    }

    /// <summary>What the stores of this process share per database file.</summary>
    private sealed class FileState
    {
        /// <summary>Writes since the last background checkpoint started (changed under the writer gate).</summary>
        public int WritesSinceCheckpoint;

        /// <summary>The background checkpoint in flight or the last one (changed under the writer gate).</summary>
        public Task Checkpointing = Task.CompletedTask;

        /// <summary>The fault of the last background checkpoint, until a write runs the checkpoint again.</summary>
        public Exception? CheckpointFailure;
    }
}
