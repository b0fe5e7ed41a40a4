using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace LlmKit;

/// <summary>
/// An <see cref="IUsageLedger"/> on PostgreSQL: every record kept, idempotent by request id (a primary key, written
/// with <c>ON CONFLICT DO NOTHING</c>, so retries on any machine never count twice), with totals, top N and hourly or
/// daily series (UTC) computed by the server. Costs are summed exactly (<c>numeric</c>).
/// </summary>
/// <remarks>
/// Scopes match records as in the in-memory ledger: tenant, user, API key and conversation by their ids; model by
/// the logical model (case-insensitive); custom scopes written <c>key=value</c> by the record's tags.
/// </remarks>
public sealed class PostgreSqlUsageLedger : IUsageLedger
{
    private const string Aggregates = "count(*), count(*) FILTER (WHERE outcome NOT IN (0, 5)), coalesce(sum(input_tokens), 0)::bigint, coalesce(sum(output_tokens), 0)::bigint, coalesce(sum(cached_input_tokens), 0)::bigint, coalesce(sum(reasoning_tokens), 0)::bigint, coalesce(sum(cost_usd), 0), count(*) FILTER (WHERE cost_usd IS NULL), coalesce(sum(latency_us), 0)::bigint, count(*) FILTER (WHERE outcome = 5), coalesce(sum(saved_cost_usd), 0)";

    private readonly PostgreSqlDatabase _database;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="dataSource">The data source; the caller owns and disposes it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    public PostgreSqlUsageLedger(NpgsqlDataSource dataSource)
    {
        _database = new PostgreSqlDatabase(dataSource);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> RecordAsync(UsageRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrWhiteSpace(record.RequestId);
        StoreRules.CheckUsageRecord(record, nameof(record));
        ArgumentNullException.ThrowIfNull(record.Cost);
        string cost = JsonSerializer.Serialize(record.Cost, StoreJsonContext.Default.CallCost);
        string tags = JsonSerializer.Serialize(record.Tags is null ? [] : new Dictionary<string, string>(record.Tags, StringComparer.Ordinal), StoreJsonContext.Default.DictionaryStringString);
        return await _database.RunAsync(async (connection, transaction) =>
        {
            await using var insert = PostgreSqlDatabase.Command(connection, transaction, """
                INSERT INTO llmkit_usage (request_id, ts, tenant_id, user_id, api_key_id, conversation_id, logical_model, deployment, provider, response_model,
                    template_id, template_version, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_usd, cost,
                    latency_us, outcome, failure_kind, tags, saved_cost_usd)
                VALUES (@id, @ts, @tenant, @user, @key, @conversation, @model, @deployment, @provider, @responseModel,
                    @template, @templateVersion, @input, @cached, @cacheWrite, @output, @reasoning, @costUsd, @cost,
                    @latency, @outcome, @failure, @tags, @saved)
                ON CONFLICT (request_id) DO NOTHING;
                """);
            var p = insert.Parameters;
            p.AddWithValue("id", record.RequestId);
            p.AddWithValue("ts", record.Timestamp.ToUniversalTime());
            p.AddWithValue("tenant", NpgsqlDbType.Text, (object?)record.TenantId ?? DBNull.Value);
            p.AddWithValue("user", NpgsqlDbType.Text, (object?)record.UserId ?? DBNull.Value);
            p.AddWithValue("key", NpgsqlDbType.Text, (object?)record.ApiKeyId ?? DBNull.Value);
            p.AddWithValue("conversation", NpgsqlDbType.Text, (object?)record.ConversationId ?? DBNull.Value);
            p.AddWithValue("model", NpgsqlDbType.Text, (object?)record.LogicalModel ?? DBNull.Value);
            p.AddWithValue("deployment", NpgsqlDbType.Text, (object?)record.Deployment ?? DBNull.Value);
            p.AddWithValue("provider", NpgsqlDbType.Text, (object?)record.Provider ?? DBNull.Value);
            p.AddWithValue("responseModel", NpgsqlDbType.Text, (object?)record.ResponseModel ?? DBNull.Value);
            p.AddWithValue("template", NpgsqlDbType.Text, (object?)record.TemplateId ?? DBNull.Value);
            p.AddWithValue("templateVersion", NpgsqlDbType.Integer, (object?)record.TemplateVersion ?? DBNull.Value);
            p.AddWithValue("input", record.InputTokens);
            p.AddWithValue("cached", record.CachedInputTokens);
            p.AddWithValue("cacheWrite", record.CacheWriteTokens);
            p.AddWithValue("output", record.OutputTokens);
            p.AddWithValue("reasoning", record.ReasoningTokens);
            p.AddWithValue("costUsd", NpgsqlDbType.Numeric, (object?)record.Cost.Total ?? DBNull.Value);
            p.AddWithValue("cost", cost);
            p.AddWithValue("latency", record.Latency.Ticks / 10);
            p.AddWithValue("outcome", (short)record.Outcome);
            p.AddWithValue("failure", NpgsqlDbType.Smallint, record.FailureKind is { } kind ? (short)kind : DBNull.Value);
            p.AddWithValue("tags", NpgsqlDbType.Jsonb, tags);
            p.AddWithValue("saved", NpgsqlDbType.Numeric, record.Outcome == CallOutcome.CacheHit && record.SavedCostUsd is { } saved ? saved : DBNull.Value);
            return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<UsageTotals> GetTotalsAsync(UsageQuery query, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckUsageQuery(query, nameof(query));
        return await _database.RunAsync(async (connection, transaction) =>
        {
            await using var select = PostgreSqlDatabase.Command(connection, transaction, string.Empty);
            var sql = new StringBuilder("SELECT ").Append(Aggregates).Append(" FROM llmkit_usage WHERE TRUE");
            Where(sql, select, query);
            select.CommandText = sql.ToString();
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return ReadTotals(reader, 0);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<KeyValuePair<string, UsageTotals>>> GetTopAsync(UsageQuery query, UsageGrouping groupBy, int count, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckUsageQuery(query, nameof(query));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        string column = groupBy switch
        {
            UsageGrouping.Tenant => "tenant_id",
            UsageGrouping.User => "user_id",
            UsageGrouping.ApiKey => "api_key_id",
            UsageGrouping.Model => "logical_model",
            UsageGrouping.Deployment => "deployment",
            UsageGrouping.Conversation => "conversation_id",
            UsageGrouping.Template => "template_id",
            _ => throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy, "Unknown grouping."),
        };
        return await _database.RunAsync<IReadOnlyList<KeyValuePair<string, UsageTotals>>>(async (connection, transaction) =>
        {
            await using var select = PostgreSqlDatabase.Command(connection, transaction, string.Empty);
            var sql = new StringBuilder("SELECT ").Append(column).Append(", ").Append(Aggregates).Append(" FROM llmkit_usage WHERE ").Append(column).Append(" IS NOT NULL");
            Where(sql, select, query);
            sql.Append(" GROUP BY ").Append(column).Append(" ORDER BY coalesce(sum(cost_usd), 0) DESC, count(*) DESC, ").Append(column).Append(" LIMIT @count;");
            select.Parameters.AddWithValue("count", count);
            select.CommandText = sql.ToString();
            var top = new List<KeyValuePair<string, UsageTotals>>();
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                top.Add(new KeyValuePair<string, UsageTotals>(reader.GetString(0), ReadTotals(reader, 1)));
            }

            return top;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<KeyValuePair<DateTimeOffset, UsageTotals>>> GetTimeSeriesAsync(UsageQuery query, UsageInterval interval, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckUsageQuery(query, nameof(query));
        string unit = interval switch
        {
            UsageInterval.Hour => "hour",
            UsageInterval.Day => "day",
            _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, "Unknown interval."),
        };
        return await _database.RunAsync<IReadOnlyList<KeyValuePair<DateTimeOffset, UsageTotals>>>(async (connection, transaction) =>
        {
            await using var select = PostgreSqlDatabase.Command(connection, transaction, string.Empty);
            var sql = new StringBuilder("SELECT date_trunc('").Append(unit).Append("', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, ").Append(Aggregates).Append(" FROM llmkit_usage WHERE TRUE");
            Where(sql, select, query);
            sql.Append(" GROUP BY bucket ORDER BY bucket;");
            select.CommandText = sql.ToString();
            var series = new List<KeyValuePair<DateTimeOffset, UsageTotals>>();
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                series.Add(new KeyValuePair<DateTimeOffset, UsageTotals>(reader.GetFieldValue<DateTimeOffset>(0), ReadTotals(reader, 1)));
            }

            return series;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static void Where(StringBuilder sql, NpgsqlCommand command, UsageQuery query)
    {
        if (query.From is { } from)
        {
            sql.Append(" AND ts >= @from");
            command.Parameters.AddWithValue("from", from.ToUniversalTime());
        }

        if (query.To is { } to)
        {
            sql.Append(" AND ts < @to");
            command.Parameters.AddWithValue("to", to.ToUniversalTime());
        }

        var scope = query.Scope;
        switch (scope.Kind)
        {
            case BudgetScopeKind.Global:
                return;
            case BudgetScopeKind.Tenant:
                sql.Append(" AND tenant_id = @scope");
                break;
            case BudgetScopeKind.User:
                sql.Append(" AND user_id = @scope");
                break;
            case BudgetScopeKind.ApiKey:
                sql.Append(" AND api_key_id = @scope");
                break;
            case BudgetScopeKind.Model:
                sql.Append(" AND lower(logical_model) = lower(@scope)");
                break;
            case BudgetScopeKind.Conversation:
                sql.Append(" AND conversation_id = @scope");
                break;
            case BudgetScopeKind.Custom when scope.Value?.Split('=', 2) is [var key, var value]:
                sql.Append(" AND tags ->> @scopeKey = @scope");
                command.Parameters.AddWithValue("scopeKey", key);
                command.Parameters.AddWithValue("scope", value);
                return;
            default:
                sql.Append(" AND FALSE");
                return;
        }

        command.Parameters.AddWithValue("scope", NpgsqlDbType.Text, (object?)scope.Value ?? DBNull.Value);
    }

    private static UsageTotals ReadTotals(NpgsqlDataReader reader, int o) => new()
    {
        Calls = reader.GetInt64(o),
        Failures = reader.GetInt64(o + 1),
        InputTokens = reader.GetInt64(o + 2),
        OutputTokens = reader.GetInt64(o + 3),
        CachedInputTokens = reader.GetInt64(o + 4),
        ReasoningTokens = reader.GetInt64(o + 5),
        KnownCostUsd = reader.GetDecimal(o + 6),
        UnknownCostCalls = reader.GetInt64(o + 7),
        TotalLatency = TimeSpan.FromTicks(reader.GetInt64(o + 8) * 10),
        CacheHits = reader.GetInt64(o + 9),
        SavedCostUsd = reader.GetDecimal(o + 10),
    };
}
