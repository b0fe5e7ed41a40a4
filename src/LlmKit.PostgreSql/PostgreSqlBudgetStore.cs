using Npgsql;

namespace LlmKit;

/// <summary>
/// An <see cref="IBudgetStore"/> on PostgreSQL, shared by every machine using the database: each reservation,
/// settlement and alert runs in one transaction that locks the budget's row (<c>SELECT ... FOR UPDATE</c>), so the
/// check spent + reserved + amount &lt;= limit and the hold are atomic and concurrent callers never overspend beyond
/// their reservations. Windows follow the in-memory store's rules.
/// </summary>
/// <remarks>
/// One row is kept per budget and concrete scope, with one current calendar window (a later window start resets the
/// spend; open reservations carry over), or for a rolling window its spend in 60 buckets per period, each forgotten
/// one period after it ends. Settling a reservation that is not open changes nothing, so settling twice never counts
/// twice. Amounts are kept exactly (<c>numeric</c>).
/// </remarks>
public sealed class PostgreSqlBudgetStore : IBudgetStore
{
    private readonly PostgreSqlDatabase _database;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="dataSource">The data source; the caller owns and disposes it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    public PostgreSqlBudgetStore(NpgsqlDataSource dataSource)
    {
        _database = new PostgreSqlDatabase(dataSource);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TryReserveAsync(BudgetWindowKey key, string reservationId, decimal amount, decimal limit, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        ArgumentNullException.ThrowIfNull(reservationId);
        StoreRules.CheckIdentifier(reservationId, "reservation id", nameof(reservationId));
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        return await _database.RunAsync(async (connection, transaction) =>
        {
            var state = await LockAsync(connection, transaction, key, cancellationToken).ConfigureAwait(false);
            state.Advance(key, now);
            if (await FindReservationAsync(connection, transaction, key, reservationId, cancellationToken).ConfigureAwait(false) is not null)
            {
                return true;
            }

            if (state.Spent + state.Reserved + amount > limit)
            {
                return false;
            }

            await using (var insert = PostgreSqlDatabase.Command(connection, transaction, "INSERT INTO llmkit_budget_reservations (budget_id, scope_kind, scope_value, reservation_id, amount) VALUES (@budget, @kind, @value, @id, @amount);"))
            {
                AddKey(insert, key);
                insert.Parameters.AddWithValue("id", reservationId);
                insert.Parameters.AddWithValue("amount", amount);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            state.Reserved += amount;
            await SaveAsync(connection, transaction, key, state, cancellationToken).ConfigureAwait(false);
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
        return await _database.RunAsync(async (connection, transaction) =>
        {
            var state = await LockAsync(connection, transaction, key, cancellationToken).ConfigureAwait(false);
            state.Advance(key, now);
            await using (var delete = PostgreSqlDatabase.Command(connection, transaction, "DELETE FROM llmkit_budget_reservations WHERE budget_id = @budget AND scope_kind = @kind AND scope_value = @value AND reservation_id = @id RETURNING amount;"))
            {
                AddKey(delete, key);
                delete.Parameters.AddWithValue("id", reservationId);
                if (await delete.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is decimal held)
                {
                    state.Reserved -= held;
                    state.AddSpend(actual);
                }
            }

            await SaveAsync(connection, transaction, key, state, cancellationToken).ConfigureAwait(false);
            return state.Spent;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<BudgetWindowUsage> GetAsync(BudgetWindowKey key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        return await _database.RunAsync(async (connection, transaction) =>
        {
            var state = await ReadAsync(connection, transaction, key, forUpdate: false, cancellationToken).ConfigureAwait(false) ?? new BudgetSlotState();
            state.Advance(key, now);
            return new BudgetWindowUsage(state.Spent, state.Reserved, state.NextRollOff());
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TryMarkAlertAsync(BudgetWindowKey key, decimal threshold, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        return await _database.RunAsync(async (connection, transaction) =>
        {
            var state = await LockAsync(connection, transaction, key, cancellationToken).ConfigureAwait(false);
            if (!state.TryMarkAlert(key, threshold))
            {
                return false;
            }

            await SaveAsync(connection, transaction, key, state, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static void CheckKey(BudgetWindowKey key) => StoreRules.CheckBudgetKey(key, null, nameof(key));

    private static void AddKey(NpgsqlCommand command, BudgetWindowKey key)
    {
        command.Parameters.AddWithValue("budget", key.BudgetId);
        command.Parameters.AddWithValue("kind", (int)key.Scope.Kind);
        command.Parameters.AddWithValue("value", key.Scope.Value ?? string.Empty);
    }

    private static async Task<decimal?> FindReservationAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, BudgetWindowKey key, string reservationId, CancellationToken cancellationToken)
    {
        await using var select = PostgreSqlDatabase.Command(connection, transaction, "SELECT amount FROM llmkit_budget_reservations WHERE budget_id = @budget AND scope_kind = @kind AND scope_value = @value AND reservation_id = @id;");
        AddKey(select, key);
        select.Parameters.AddWithValue("id", reservationId);
        return await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is decimal amount ? amount : null;
    }

    /// <summary>Creates the row when missing and locks it until the transaction ends.</summary>
    private static async Task<BudgetSlotState> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, BudgetWindowKey key, CancellationToken cancellationToken)
    {
        await using (var insert = PostgreSqlDatabase.Command(connection, transaction, """
            INSERT INTO llmkit_budget_slots (budget_id, scope_kind, scope_value, window_start, spent, reserved, bucket_ticks, head, buckets, alert_window, alerts)
            VALUES (@budget, @kind, @value, 0, 0, 0, 0, 0, '', 0, '')
            ON CONFLICT (budget_id, scope_kind, scope_value) DO NOTHING;
            """))
        {
            AddKey(insert, key);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return await ReadAsync(connection, transaction, key, forUpdate: true, cancellationToken).ConfigureAwait(false)
            ?? throw new StoreUnavailableException($"The budget row of '{key.BudgetId}' vanished while it was being locked; retry the call.");
    }

    private static async Task<BudgetSlotState?> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, BudgetWindowKey key, bool forUpdate, CancellationToken cancellationToken)
    {
        await using var select = PostgreSqlDatabase.Command(connection, transaction, forUpdate
            ? "SELECT window_start, spent, reserved, bucket_ticks, head, buckets, alert_window, alerts FROM llmkit_budget_slots WHERE budget_id = @budget AND scope_kind = @kind AND scope_value = @value FOR UPDATE;"
            : "SELECT window_start, spent, reserved, bucket_ticks, head, buckets, alert_window, alerts FROM llmkit_budget_slots WHERE budget_id = @budget AND scope_kind = @kind AND scope_value = @value;");
        AddKey(select, key);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return BudgetSlotState.Load(reader.GetInt64(0), reader.GetDecimal(1), reader.GetDecimal(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetString(5), reader.GetInt64(6), reader.GetString(7));
    }

    private static async Task SaveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, BudgetWindowKey key, BudgetSlotState state, CancellationToken cancellationToken)
    {
        await using var update = PostgreSqlDatabase.Command(connection, transaction, """
            UPDATE llmkit_budget_slots SET window_start = @start, spent = @spent, reserved = @reserved, bucket_ticks = @bucketTicks, head = @head,
                buckets = @buckets, alert_window = @alertWindow, alerts = @alerts
            WHERE budget_id = @budget AND scope_kind = @kind AND scope_value = @value;
            """);
        AddKey(update, key);
        var p = update.Parameters;
        p.AddWithValue("start", state.WindowStart);
        p.AddWithValue("spent", state.Spent);
        p.AddWithValue("reserved", state.Reserved);
        p.AddWithValue("bucketTicks", state.BucketTicks);
        p.AddWithValue("head", state.Head);
        p.AddWithValue("buckets", state.BucketsText);
        p.AddWithValue("alertWindow", state.AlertWindow);
        p.AddWithValue("alerts", state.AlertsText);
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
