using System.Globalization;
using Microsoft.Data.Sqlite;

namespace LlmKit;

/// <summary>
/// An <see cref="IBudgetStore"/> on an embedded SQLite database file, shared by every process that opens the file:
/// each reservation, settlement and alert is one write transaction (the file's write lock), so the check
/// spent + reserved + amount &lt;= limit and the hold are atomic and concurrent callers never overspend beyond their
/// reservations. Windows follow the in-memory store's rules.
/// </summary>
/// <remarks>
/// One row is kept per budget and concrete scope, with one current calendar window (a later window start resets the
/// spend; open reservations carry over), or for a rolling window its spend in 60 buckets per period, each forgotten
/// one period after it ends. Settling a reservation that is not open changes nothing, so settling twice never counts
/// twice. Amounts are kept exactly as <see cref="decimal"/>.
/// </remarks>
public sealed class SqliteBudgetStore : IBudgetStore
{
    private readonly SqliteDatabase _database;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="connectionString">The SQLite connection string, for example <c>Data Source=llmkit.db</c>; the file is created when missing.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    /// <exception cref="LlmKitConfigurationException">The connection string cannot be parsed or names an in-memory database.</exception>
    public SqliteBudgetStore(string connectionString)
    {
        _database = new SqliteDatabase(connectionString);
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string DataSource => _database.DataSource;

    /// <inheritdoc/>
    public async ValueTask<bool> TryReserveAsync(BudgetWindowKey key, string reservationId, decimal amount, decimal limit, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        ArgumentNullException.ThrowIfNull(reservationId);
        StoreRules.CheckIdentifier(reservationId, "reservation id", nameof(reservationId));
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        return await _database.WriteAsync((connection, transaction) =>
        {
            var state = Load(connection, transaction, key);
            state.Advance(key, now);
            if (FindReservation(connection, transaction, key, reservationId) is not null)
            {
                return true;
            }

            if (state.Spent + state.Reserved + amount > limit)
            {
                return false;
            }

            using (var insert = SqliteDatabase.Command(connection, transaction, "INSERT INTO llmkit_budget_reservations (budget_id, scope_kind, scope_value, reservation_id, amount) VALUES ($budget, $kind, $value, $id, $amount);"))
            {
                AddKey(insert, key);
                insert.Parameters.AddWithValue("$id", reservationId);
                insert.Parameters.AddWithValue("$amount", amount.ToString(CultureInfo.InvariantCulture));
                insert.ExecuteNonQuery();
            }

            state.Reserved += amount;
            Save(connection, transaction, key, state);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<decimal> SettleAsync(BudgetWindowKey key, string reservationId, decimal actual, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        ArgumentNullException.ThrowIfNull(reservationId);
        StoreRules.CheckIdentifier(reservationId, "reservation id", nameof(reservationId));
        ArgumentOutOfRangeException.ThrowIfNegative(actual);
        return await _database.WriteAsync((connection, transaction) =>
        {
            var state = Load(connection, transaction, key);
            state.Advance(key, now);
            if (FindReservation(connection, transaction, key, reservationId) is { } held)
            {
                using var delete = SqliteDatabase.Command(connection, transaction, "DELETE FROM llmkit_budget_reservations WHERE budget_id = $budget AND scope_kind = $kind AND scope_value = $value AND reservation_id = $id;");
                AddKey(delete, key);
                delete.Parameters.AddWithValue("$id", reservationId);
                delete.ExecuteNonQuery();
                state.Reserved -= held;
                state.AddSpend(actual);
            }

            Save(connection, transaction, key, state);
            return state.Spent;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<BudgetWindowUsage> GetAsync(BudgetWindowKey key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        return await _database.ReadAsync((connection, transaction) =>
        {
            var state = Load(connection, transaction, key);
            state.Advance(key, now);
            return new BudgetWindowUsage(state.Spent, state.Reserved, state.NextRollOff());
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TryMarkAlertAsync(BudgetWindowKey key, decimal threshold, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        return await _database.WriteAsync((connection, transaction) =>
        {
            var state = Load(connection, transaction, key);
            if (!state.TryMarkAlert(key, threshold))
            {
                return false;
            }

            Save(connection, transaction, key, state);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static void CheckKey(BudgetWindowKey key) => StoreRules.CheckBudgetKey(key, null, nameof(key));

    private static void AddKey(SqliteCommand command, BudgetWindowKey key)
    {
        command.Parameters.AddWithValue("$budget", key.BudgetId);
        command.Parameters.AddWithValue("$kind", (int)key.Scope.Kind);
        command.Parameters.AddWithValue("$value", key.Scope.Value ?? string.Empty);
    }

    private static decimal? FindReservation(SqliteConnection connection, SqliteTransaction transaction, BudgetWindowKey key, string reservationId)
    {
        using var select = SqliteDatabase.Command(connection, transaction, "SELECT amount FROM llmkit_budget_reservations WHERE budget_id = $budget AND scope_kind = $kind AND scope_value = $value AND reservation_id = $id;");
        AddKey(select, key);
        select.Parameters.AddWithValue("$id", reservationId);
        return select.ExecuteScalar() is string amount ? decimal.Parse(amount, NumberStyles.Number, CultureInfo.InvariantCulture) : null;
    }

    private static BudgetSlotState Load(SqliteConnection connection, SqliteTransaction transaction, BudgetWindowKey key)
    {
        using var select = SqliteDatabase.Command(connection, transaction, """
            SELECT window_start, spent, reserved, bucket_ticks, head, buckets, alert_window, alerts FROM llmkit_budget_slots
            WHERE budget_id = $budget AND scope_kind = $kind AND scope_value = $value;
            """);
        AddKey(select, key);
        using var reader = select.ExecuteReader();
        if (!reader.Read())
        {
            return new BudgetSlotState();
        }

        return BudgetSlotState.Load(
            reader.GetInt64(0),
            decimal.Parse(reader.GetString(1), NumberStyles.Number, CultureInfo.InvariantCulture),
            decimal.Parse(reader.GetString(2), NumberStyles.Number, CultureInfo.InvariantCulture),
            reader.GetInt64(3),
            reader.GetInt64(4),
            reader.GetString(5),
            reader.GetInt64(6),
            reader.GetString(7));
    }

    private static void Save(SqliteConnection connection, SqliteTransaction transaction, BudgetWindowKey key, BudgetSlotState state)
    {
        using var upsert = SqliteDatabase.Command(connection, transaction, """
            INSERT INTO llmkit_budget_slots (budget_id, scope_kind, scope_value, window_start, spent, reserved, bucket_ticks, head, buckets, alert_window, alerts)
            VALUES ($budget, $kind, $value, $start, $spent, $reserved, $bucketTicks, $head, $buckets, $alertWindow, $alerts)
            ON CONFLICT (budget_id, scope_kind, scope_value) DO UPDATE SET
                window_start = excluded.window_start, spent = excluded.spent, reserved = excluded.reserved, bucket_ticks = excluded.bucket_ticks,
                head = excluded.head, buckets = excluded.buckets, alert_window = excluded.alert_window, alerts = excluded.alerts;
            """);
        AddKey(upsert, key);
        var p = upsert.Parameters;
        p.AddWithValue("$start", state.WindowStart);
        p.AddWithValue("$spent", state.Spent.ToString(CultureInfo.InvariantCulture));
        p.AddWithValue("$reserved", state.Reserved.ToString(CultureInfo.InvariantCulture));
        p.AddWithValue("$bucketTicks", state.BucketTicks);
        p.AddWithValue("$head", state.Head);
        p.AddWithValue("$buckets", state.BucketsText);
        p.AddWithValue("$alertWindow", state.AlertWindow);
        p.AddWithValue("$alerts", state.AlertsText);
        upsert.ExecuteNonQuery();
    }
}
