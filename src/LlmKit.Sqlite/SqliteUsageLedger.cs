using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace LlmKit;

/// <summary>
/// An <see cref="IUsageLedger"/> on an embedded SQLite database file: every record kept, idempotent by request id
/// (a primary key), with totals, top N and hourly or daily series computed by the database.
/// </summary>
/// <remarks>
/// Scopes match records as in the in-memory ledger: tenant, user, API key and conversation by their ids; model by
/// the logical model (ASCII case-insensitive); custom scopes written <c>key=value</c> by the record's tags. Costs
/// are summed to 10<sup>-10</sup> USD.
/// </remarks>
public sealed class SqliteUsageLedger : IUsageLedger
{
    private const string Aggregates = "count(*), coalesce(sum(outcome NOT IN (0, 5)), 0), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), coalesce(sum(cached_input_tokens), 0), coalesce(sum(reasoning_tokens), 0), coalesce(sum(cost_units), 0), coalesce(sum(cost_units IS NULL), 0), coalesce(sum(latency_us), 0), coalesce(sum(outcome = 5), 0), coalesce(sum(saved_cost_units), 0)";
    private const decimal CostUnitsPerUsd = 10_000_000_000m;

    private readonly SqliteDatabase _database;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="connectionString">The SQLite connection string, for example <c>Data Source=llmkit.db</c>; the file is created when missing.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    /// <exception cref="LlmKitConfigurationException">The connection string cannot be parsed or names an in-memory database.</exception>
    public SqliteUsageLedger(string connectionString)
    {
        _database = new SqliteDatabase(connectionString);
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string DataSource => _database.DataSource;

    /// <inheritdoc/>
    public async ValueTask<bool> RecordAsync(UsageRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrWhiteSpace(record.RequestId);
        StoreRules.CheckUsageRecord(record, nameof(record));
        ArgumentNullException.ThrowIfNull(record.Cost);
        string cost = JsonSerializer.Serialize(record.Cost, StoreJsonContext.Default.CallCost);
        string tags = JsonSerializer.Serialize(record.Tags is null ? [] : new Dictionary<string, string>(record.Tags, StringComparer.Ordinal), StoreJsonContext.Default.DictionaryStringString);
        return await _database.WriteAsync((connection, transaction) =>
        {
            using var insert = SqliteDatabase.Command(connection, transaction, """
                INSERT INTO llmkit_usage (request_id, ts, tenant_id, user_id, api_key_id, conversation_id, logical_model, deployment, provider, response_model,
                    template_id, template_version, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_units, cost,
                    latency_us, outcome, failure_kind, tags, saved_cost_units)
                VALUES ($id, $ts, $tenant, $user, $key, $conversation, $model, $deployment, $provider, $responseModel,
                    $template, $templateVersion, $input, $cached, $cacheWrite, $output, $reasoning, $costUnits, $cost,
                    $latency, $outcome, $failure, $tags, $saved)
                ON CONFLICT (request_id) DO NOTHING;
                """);
            var p = insert.Parameters;
            p.AddWithValue("$id", record.RequestId);
            p.AddWithValue("$ts", record.Timestamp.UtcTicks);
            p.AddWithValue("$tenant", (object?)record.TenantId ?? DBNull.Value);
            p.AddWithValue("$user", (object?)record.UserId ?? DBNull.Value);
            p.AddWithValue("$key", (object?)record.ApiKeyId ?? DBNull.Value);
            p.AddWithValue("$conversation", (object?)record.ConversationId ?? DBNull.Value);
            p.AddWithValue("$model", (object?)record.LogicalModel ?? DBNull.Value);
            p.AddWithValue("$deployment", (object?)record.Deployment ?? DBNull.Value);
            p.AddWithValue("$provider", (object?)record.Provider ?? DBNull.Value);
            p.AddWithValue("$responseModel", (object?)record.ResponseModel ?? DBNull.Value);
            p.AddWithValue("$template", (object?)record.TemplateId ?? DBNull.Value);
            p.AddWithValue("$templateVersion", (object?)record.TemplateVersion ?? DBNull.Value);
            p.AddWithValue("$input", record.InputTokens);
            p.AddWithValue("$cached", record.CachedInputTokens);
            p.AddWithValue("$cacheWrite", record.CacheWriteTokens);
            p.AddWithValue("$output", record.OutputTokens);
            p.AddWithValue("$reasoning", record.ReasoningTokens);
            p.AddWithValue("$costUnits", record.Cost.Total is { } total ? SqliteConversationStore.ToUnits(total) : DBNull.Value);
            p.AddWithValue("$cost", cost);
            p.AddWithValue("$latency", record.Latency.Ticks / 10);
            p.AddWithValue("$outcome", (int)record.Outcome);
            p.AddWithValue("$failure", record.FailureKind is { } kind ? (int)kind : DBNull.Value);
            p.AddWithValue("$tags", tags);
            p.AddWithValue("$saved", record.Outcome == CallOutcome.CacheHit && record.SavedCostUsd is { } saved ? SqliteConversationStore.ToUnits(saved) : DBNull.Value);
            return insert.ExecuteNonQuery() == 1;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<UsageTotals> GetTotalsAsync(UsageQuery query, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckUsageQuery(query, nameof(query));
        return await _database.ReadAsync((connection, transaction) =>
        {
            using var select = SqliteDatabase.Command(connection, transaction, string.Empty);
            var sql = new StringBuilder("SELECT ").Append(Aggregates).Append(" FROM llmkit_usage WHERE 1 = 1");
            Where(sql, select, query);
            select.CommandText = sql.ToString();
            using var reader = select.ExecuteReader();
            reader.Read();
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
        return await _database.ReadAsync<IReadOnlyList<KeyValuePair<string, UsageTotals>>>((connection, transaction) =>
        {
            using var select = SqliteDatabase.Command(connection, transaction, string.Empty);
            var sql = new StringBuilder("SELECT ").Append(column).Append(", ").Append(Aggregates).Append(" FROM llmkit_usage WHERE ").Append(column).Append(" IS NOT NULL");
            Where(sql, select, query);
            sql.Append(" GROUP BY ").Append(column).Append(" ORDER BY coalesce(sum(cost_units), 0) DESC, count(*) DESC, ").Append(column).Append(" LIMIT $count;");
            select.Parameters.AddWithValue("$count", count);
            select.CommandText = sql.ToString();
            var top = new List<KeyValuePair<string, UsageTotals>>();
            using var reader = select.ExecuteReader();
            while (reader.Read())
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
        long width = interval switch
        {
            UsageInterval.Hour => TimeSpan.TicksPerHour,
            UsageInterval.Day => TimeSpan.TicksPerDay,
            _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, "Unknown interval."),
        };
        return await _database.ReadAsync<IReadOnlyList<KeyValuePair<DateTimeOffset, UsageTotals>>>((connection, transaction) =>
        {
            using var select = SqliteDatabase.Command(connection, transaction, string.Empty);
            var sql = new StringBuilder("SELECT ts - (ts % $width) AS bucket, ").Append(Aggregates).Append(" FROM llmkit_usage WHERE 1 = 1");
            Where(sql, select, query);
            sql.Append(" GROUP BY bucket ORDER BY bucket;");
            select.Parameters.AddWithValue("$width", width);
            select.CommandText = sql.ToString();
            var series = new List<KeyValuePair<DateTimeOffset, UsageTotals>>();
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                series.Add(new KeyValuePair<DateTimeOffset, UsageTotals>(new DateTimeOffset(reader.GetInt64(0), TimeSpan.Zero), ReadTotals(reader, 1)));
            }

            return series;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static void Where(StringBuilder sql, SqliteCommand command, UsageQuery query)
    {
        if (query.From is { } from)
        {
            sql.Append(" AND ts >= $from");
            command.Parameters.AddWithValue("$from", from.UtcTicks);
        }

        if (query.To is { } to)
        {
            sql.Append(" AND ts < $to");
            command.Parameters.AddWithValue("$to", to.UtcTicks);
        }

        var scope = query.Scope;
        switch (scope.Kind)
        {
            case BudgetScopeKind.Global:
                return;
            case BudgetScopeKind.Tenant:
                sql.Append(" AND tenant_id = $scope");
                break;
            case BudgetScopeKind.User:
                sql.Append(" AND user_id = $scope");
                break;
            case BudgetScopeKind.ApiKey:
                sql.Append(" AND api_key_id = $scope");
                break;
            case BudgetScopeKind.Model:
                sql.Append(" AND logical_model = $scope COLLATE NOCASE");
                break;
            case BudgetScopeKind.Conversation:
                sql.Append(" AND conversation_id = $scope");
                break;
            case BudgetScopeKind.Custom when scope.Value?.Split('=', 2) is [var key, var value]:
                sql.Append(" AND EXISTS (SELECT 1 FROM json_each(tags) j WHERE j.key = $scopeKey AND j.value = $scope)");
                command.Parameters.AddWithValue("$scopeKey", key);
                command.Parameters.AddWithValue("$scope", value);
                return;
            default:
                sql.Append(" AND 1 = 0");
                return;
        }

        command.Parameters.AddWithValue("$scope", (object?)scope.Value ?? DBNull.Value);
    }

    private static UsageTotals ReadTotals(SqliteDataReader reader, int o) => new()
    {
        Calls = reader.GetInt64(o),
        Failures = reader.GetInt64(o + 1),
        InputTokens = reader.GetInt64(o + 2),
        OutputTokens = reader.GetInt64(o + 3),
        CachedInputTokens = reader.GetInt64(o + 4),
        ReasoningTokens = reader.GetInt64(o + 5),
        KnownCostUsd = reader.GetInt64(o + 6) / CostUnitsPerUsd,
        UnknownCostCalls = reader.GetInt64(o + 7),
        TotalLatency = TimeSpan.FromTicks(reader.GetInt64(o + 8) * 10),
        CacheHits = reader.GetInt64(o + 9),
        SavedCostUsd = reader.GetInt64(o + 10) / CostUnitsPerUsd,
    };
}
