using System.Globalization;
using System.Runtime.CompilerServices;
using Npgsql;

namespace LlmKit;

/// <summary>
/// The PostgreSQL database behind the stores: applies the schema migrations once per data source (under a
/// transaction-scoped advisory lock, so several machines starting at once migrate one after the other), runs
/// work in transactions and reports an unreachable server as <see cref="StoreUnavailableException"/>.
/// </summary>
internal sealed class PostgreSqlDatabase
{
    /// <summary>The advisory lock key the migrations hold ("LlmKit" in ASCII).</summary>
    public const long MigrationLockKey = 0x4C6C6D4B6974;

    private static readonly ConditionalWeakTable<NpgsqlDataSource, StrongBox<Task?>> Migrations = [];

    private readonly NpgsqlDataSource _dataSource;

    public PostgreSqlDatabase(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Description = string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}/{builder.Database}");
    }

    /// <summary>Gets host, port and database (never the password).</summary>
    public string Description { get; }

    public Task MigrateAsync(CancellationToken cancellationToken)
    {
        var box = Migrations.GetValue(_dataSource, static _ => new StrongBox<Task?>());
        Task task;
        lock (box)
        {
            if (box.Value is null || box.Value.IsFaulted || box.Value.IsCanceled)
            {
                box.Value = RunMigrationsAsync();
            }

            task = box.Value;
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> on an open connection inside a transaction and commits it; rolls back on any exception.</summary>
    public async Task<T> RunAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken, bool snapshot = false)
    {
        await MigrateAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync(snapshot ? System.Data.IsolationLevel.RepeatableRead : System.Data.IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    T result = await work(connection, transaction).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return result;
                }
            }
        }
        catch (NpgsqlException ex) when (IsUnreachable(ex))
        {
            throw Unavailable(ex);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on an open connection outside an explicit transaction, so each statement it runs
    /// commits on its own: one statement is one round trip (no BEGIN and COMMIT of their own).
    /// </summary>
    public async Task<T> RunStatementAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                return await work(connection).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException ex) when (IsUnreachable(ex))
        {
            throw Unavailable(ex);
        }
    }

    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
        => new(sql, connection, transaction);

    private async Task RunMigrationsAsync()
    {
        try
        {
            var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    // Held until commit: a second machine waits here, then finds the migrations applied.
                    await using (var lockCommand = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@key);"))
                    {
                        lockCommand.Parameters.AddWithValue("key", MigrationLockKey);
                        await lockCommand.ExecuteNonQueryAsync().ConfigureAwait(false);
                    }

                    await using (var create = Command(connection, transaction, "CREATE TABLE IF NOT EXISTS llmkit_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());"))
                    {
                        await create.ExecuteNonQueryAsync().ConfigureAwait(false);
                    }

                    int current;
                    await using (var max = Command(connection, transaction, "SELECT coalesce(max(version), 0) FROM llmkit_schema_migrations;"))
                    {
                        current = (int)(await max.ExecuteScalarAsync().ConfigureAwait(false))!;
                    }

                    int latest = PostgreSqlMigrations.All[^1].Version;
                    if (current > latest)
                    {
                        throw new StoreUnavailableException(string.Create(CultureInfo.InvariantCulture, $"The PostgreSQL database {Description} has LlmKit schema version {current}, newer than this LlmKit understands ({latest}). Upgrade LlmKit."));
                    }

                    foreach (var (version, name, sql) in PostgreSqlMigrations.All)
                    {
                        if (version <= current)
                        {
                            continue;
                        }

                        await using (var apply = Command(connection, transaction, sql))
                        {
                            await apply.ExecuteNonQueryAsync().ConfigureAwait(false);
                        }

                        await using var record = Command(connection, transaction, "INSERT INTO llmkit_schema_migrations (version, name) VALUES (@version, @name);");
                        record.Parameters.AddWithValue("version", version);
                        record.Parameters.AddWithValue("name", name);
                        await record.ExecuteNonQueryAsync().ConfigureAwait(false);
                    }

                    await transaction.CommitAsync().ConfigureAwait(false);
                }
            }
        }
        catch (NpgsqlException ex) when (IsUnreachable(ex))
        {
            throw Unavailable(ex);
        }
    }

    private static bool IsUnreachable(NpgsqlException ex)
        => ex is not PostgresException postgres
            || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
            || postgres.SqlState.StartsWith("28", StringComparison.Ordinal)
            || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || postgres.SqlState == "3D000";

    private StoreUnavailableException Unavailable(NpgsqlException ex)
    {
        string reason = ex is PostgresException postgres ? postgres.MessageText : ex.InnerException?.Message ?? ex.Message;
        return new StoreUnavailableException($"The PostgreSQL database {Description} cannot be reached: {reason}. Check that the server is running and the connection string (host, port, database, credentials).", ex);
    }
}
