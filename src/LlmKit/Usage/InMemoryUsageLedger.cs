using System.Collections.Concurrent;

namespace LlmKit;

/// <summary>
/// The default <see cref="IUsageLedger"/>: keeps the most recent records in memory (at most
/// <see cref="MaxRecords"/>, oldest dropped first), idempotent by request id among the records it holds.
/// Use the SQLite or PostgreSQL ledger to keep them all and across restarts.
/// </summary>
/// <remarks>
/// Scopes match records this way: tenant, user, API key and conversation by their ids; model by the
/// logical model the caller asked for; custom scopes written <c>key=value</c> by the record's tags.
/// </remarks>
public sealed class InMemoryUsageLedger : IUsageLedger
{
    private readonly ConcurrentDictionary<string, UsageRecord> _records = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private int _count;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="maxRecords">The most records to hold; older ones are dropped. Defaults to 10,000.</param>
    public InMemoryUsageLedger(int maxRecords = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        MaxRecords = maxRecords;
    }

    /// <summary>Gets the most records held at once. Defaults to 10,000.</summary>
    public int MaxRecords { get; }

    /// <summary>Gets the number of records held.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc/>
    public ValueTask<bool> RecordAsync(UsageRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrWhiteSpace(record.RequestId);
        if (!_records.TryAdd(record.RequestId, record))
        {
            return ValueTask.FromResult(false);
        }

        _order.Enqueue(record.RequestId);
        // ConcurrentDictionary.Count takes every lock; keep our own count for the retention check.
        if (Interlocked.Increment(ref _count) > MaxRecords)
        {
            while (Volatile.Read(ref _count) > MaxRecords && _order.TryDequeue(out string? oldest))
            {
                if (_records.TryRemove(oldest, out _))
                {
                    Interlocked.Decrement(ref _count);
                }
            }
        }

        return ValueTask.FromResult(true);
    }

    /// <inheritdoc/>
    public ValueTask<UsageTotals> GetTotalsAsync(UsageQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ValueTask.FromResult(Sum(Select(query)));
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<KeyValuePair<string, UsageTotals>>> GetTopAsync(UsageQuery query, UsageGrouping groupBy, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        IReadOnlyList<KeyValuePair<string, UsageTotals>> top = Select(query)
            .Select(r => (Key: Key(r, groupBy), Record: r))
            .Where(x => x.Key is not null)
            .GroupBy(x => x.Key!, x => x.Record, StringComparer.Ordinal)
            .Select(g => new KeyValuePair<string, UsageTotals>(g.Key, Sum(g)))
            .OrderByDescending(kv => kv.Value.KnownCostUsd)
            .ThenByDescending(kv => kv.Value.Calls)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(count)
            .ToList();
        return ValueTask.FromResult(top);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<KeyValuePair<DateTimeOffset, UsageTotals>>> GetTimeSeriesAsync(UsageQuery query, UsageInterval interval, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        IReadOnlyList<KeyValuePair<DateTimeOffset, UsageTotals>> series = Select(query)
            .GroupBy(r => Bucket(r.Timestamp, interval))
            .OrderBy(g => g.Key)
            .Select(g => new KeyValuePair<DateTimeOffset, UsageTotals>(g.Key, Sum(g)))
            .ToList();
        return ValueTask.FromResult(series);
    }

    internal static DateTimeOffset Bucket(DateTimeOffset timestamp, UsageInterval interval)
    {
        var utc = timestamp.UtcDateTime;
        return interval == UsageInterval.Hour
            ? new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
    }

    internal static bool InScope(UsageRecord record, BudgetScope scope) => scope.Kind switch
    {
        BudgetScopeKind.Global => true,
        BudgetScopeKind.Tenant => record.TenantId == scope.Value,
        BudgetScopeKind.User => record.UserId == scope.Value,
        BudgetScopeKind.ApiKey => record.ApiKeyId == scope.Value,
        BudgetScopeKind.Model => string.Equals(record.LogicalModel, scope.Value, StringComparison.OrdinalIgnoreCase),
        BudgetScopeKind.Conversation => record.ConversationId == scope.Value,
        BudgetScopeKind.Custom => scope.Value.Split('=', 2) is [var key, var value] && record.Tags.TryGetValue(key, out string? tag) && tag == value,
        _ => false,
    };

    internal static UsageTotals Sum(IEnumerable<UsageRecord> records)
    {
        long calls = 0, failures = 0, input = 0, output = 0, cached = 0, reasoning = 0, unknown = 0;
        decimal cost = 0m;
        var latency = TimeSpan.Zero;
        foreach (var r in records)
        {
            calls++;
            failures += r.Outcome == CallOutcome.Success ? 0 : 1;
            input += r.InputTokens;
            output += r.OutputTokens;
            cached += r.CachedInputTokens;
            reasoning += r.ReasoningTokens;
            latency += r.Latency;
            if (r.Cost.Total is { } total)
            {
                cost += total;
            }
            else
            {
                unknown++;
            }
        }

        return new UsageTotals { Calls = calls, Failures = failures, InputTokens = input, OutputTokens = output, CachedInputTokens = cached, ReasoningTokens = reasoning, KnownCostUsd = cost, UnknownCostCalls = unknown, TotalLatency = latency };
    }

    private IEnumerable<UsageRecord> Select(UsageQuery query)
        => _records.Values.Where(r => (query.From is not { } from || r.Timestamp >= from) && (query.To is not { } to || r.Timestamp < to) && InScope(r, query.Scope));

    private static string? Key(UsageRecord record, UsageGrouping grouping) => grouping switch
    {
        UsageGrouping.Tenant => record.TenantId,
        UsageGrouping.User => record.UserId,
        UsageGrouping.ApiKey => record.ApiKeyId,
        UsageGrouping.Model => record.LogicalModel,
        UsageGrouping.Deployment => record.Deployment,
        UsageGrouping.Conversation => record.ConversationId,
        UsageGrouping.Template => record.TemplateId,
        _ => null,
    };
}
