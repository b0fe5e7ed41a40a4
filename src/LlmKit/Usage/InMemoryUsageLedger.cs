namespace LlmKit;

/// <summary>
/// The default <see cref="IUsageLedger"/>: keeps the most recent records in memory (at most
/// <see cref="MaxRecords"/>, oldest dropped first), idempotent by request id among the records it holds. It keeps what
/// its queries need (time, scope ids, tags, tokens, total cost, outcome), not the records themselves.
/// Use the SQLite or PostgreSQL ledger to keep them all and across restarts.
/// </summary>
/// <remarks>
/// Scopes match records this way: tenant, user, API key and conversation by their ids; model by the
/// logical model the caller asked for; custom scopes written <c>key=value</c> by the record's tags.
/// </remarks>
public sealed class InMemoryUsageLedger : IUsageLedger
{
    private const int InitialCapacity = 1024;

    // One short lock: an insert is a dictionary update and a struct copy. Records are kept as compact structs in one
    // array (no object per record), so holding thousands of them costs the garbage collector nothing per call.
    private readonly Lock _lock = new();
    private readonly Dictionary<RequestKey, int> _index = new();
    private Entry[] _entries;
    private int _oldest;
    private int _count;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="maxRecords">The most records to hold; older ones are dropped. Defaults to 10,000.</param>
    public InMemoryUsageLedger(int maxRecords = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        MaxRecords = maxRecords;
        _entries = new Entry[Math.Min(maxRecords, InitialCapacity)];
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
        StoreRules.CheckUsageRecord(record, nameof(record));
        var key = RequestKey.From(record.RequestId);
        var entry = new Entry(key, record);
        lock (_lock)
        {
            if (!_index.TryAdd(key, -1))
            {
                return ValueTask.FromResult(false);
            }

            int slot;
            if (_count < MaxRecords)
            {
                if (_count == _entries.Length)
                {
                    Array.Resize(ref _entries, (int)Math.Min((long)_entries.Length * 2, MaxRecords));
                }

                slot = _count;
                Volatile.Write(ref _count, _count + 1);
            }
            else
            {
                // Full: the oldest record makes room.
                slot = _oldest;
                _index.Remove(_entries[slot].Id);
                _oldest = slot + 1 == _entries.Length ? 0 : slot + 1;
            }

            _entries[slot] = entry;
            _index[key] = slot;
        }

        return ValueTask.FromResult(true);
    }

    /// <inheritdoc/>
    public ValueTask<UsageTotals> GetTotalsAsync(UsageQuery query, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckUsageQuery(query, nameof(query));
        var totals = new Totals();
        lock (_lock)
        {
            for (int i = 0; i < _count; i++)
            {
                ref readonly var entry = ref _entries[i];
                if (entry.Matches(query))
                {
                    totals.Add(in entry);
                }
            }
        }

        return ValueTask.FromResult(totals.ToUsageTotals());
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<KeyValuePair<string, UsageTotals>>> GetTopAsync(UsageQuery query, UsageGrouping groupBy, int count, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckUsageQuery(query, nameof(query));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var groups = new Dictionary<string, Totals>(StringComparer.Ordinal);
        lock (_lock)
        {
            for (int i = 0; i < _count; i++)
            {
                ref readonly var entry = ref _entries[i];
                if (entry.Matches(query) && entry.Key(groupBy) is { } key)
                {
                    ref var totals = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(groups, key, out _);
                    totals.Add(in entry);
                }
            }
        }

        var top = new List<KeyValuePair<string, UsageTotals>>(groups.Count);
        foreach (var (key, totals) in groups)
        {
            top.Add(new KeyValuePair<string, UsageTotals>(key, totals.ToUsageTotals()));
        }

        top.Sort(static (a, b) =>
        {
            int order = b.Value.KnownCostUsd.CompareTo(a.Value.KnownCostUsd);
            if (order == 0)
            {
                order = b.Value.Calls.CompareTo(a.Value.Calls);
            }

            return order != 0 ? order : string.CompareOrdinal(a.Key, b.Key);
        });
        if (top.Count > count)
        {
            top.RemoveRange(count, top.Count - count);
        }

        return ValueTask.FromResult<IReadOnlyList<KeyValuePair<string, UsageTotals>>>(top);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<KeyValuePair<DateTimeOffset, UsageTotals>>> GetTimeSeriesAsync(UsageQuery query, UsageInterval interval, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckUsageQuery(query, nameof(query));
        var buckets = new Dictionary<DateTimeOffset, Totals>();
        lock (_lock)
        {
            for (int i = 0; i < _count; i++)
            {
                ref readonly var entry = ref _entries[i];
                if (entry.Matches(query))
                {
                    var bucket = Bucket(new DateTimeOffset(entry.UtcTicks, TimeSpan.Zero), interval);
                    ref var totals = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(buckets, bucket, out _);
                    totals.Add(in entry);
                }
            }
        }

        var series = new List<KeyValuePair<DateTimeOffset, UsageTotals>>(buckets.Count);
        foreach (var (bucket, totals) in buckets)
        {
            series.Add(new KeyValuePair<DateTimeOffset, UsageTotals>(bucket, totals.ToUsageTotals()));
        }

        series.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        return ValueTask.FromResult<IReadOnlyList<KeyValuePair<DateTimeOffset, UsageTotals>>>(series);
    }

    internal static DateTimeOffset Bucket(DateTimeOffset timestamp, UsageInterval interval)
    {
        var utc = timestamp.UtcDateTime;
        return interval == UsageInterval.Hour
            ? new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>
    /// A request id as a key: ids of 32 lowercase hex digits (the ids LlmKit generates, and GUIDs written without dashes)
    /// are kept as a 128-bit number, so the ledger holds no string per record; other ids are kept as they are.
    /// </summary>
    private readonly struct RequestKey : IEquatable<RequestKey>
    {
        private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");
        private readonly UInt128 _value;
        private readonly string? _text;

        private RequestKey(UInt128 value, string? text)
        {
            _value = value;
            _text = text;
        }

        public static RequestKey From(string id)
        {
            var span = id.AsSpan();
            if (span.Length == 32 && !span.ContainsAnyExcept(LowerHex)
                && ulong.TryParse(span[..16], System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out ulong upper)
                && ulong.TryParse(span[16..], System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out ulong lower))
            {
                return new RequestKey(new UInt128(upper, lower), null);
            }

            return new RequestKey(default, id);
        }

        public bool Equals(RequestKey other) => _text is null ? other._text is null && _value == other._value : string.Equals(_text, other._text, StringComparison.Ordinal);

        public override bool Equals(object? obj) => obj is RequestKey other && Equals(other);

        public override int GetHashCode() => _text is null ? _value.GetHashCode() : StringComparer.Ordinal.GetHashCode(_text);
    }

    /// <summary>What the queries need of one record.</summary>
    private readonly struct Entry
    {
        public readonly RequestKey Id;
        public readonly long UtcTicks;
        private readonly string? _tenantId;
        private readonly string? _userId;
        private readonly string? _apiKeyId;
        private readonly string? _conversationId;
        private readonly string? _logicalModel;
        private readonly string? _deployment;
        private readonly string? _templateId;
        private readonly IReadOnlyDictionary<string, string> _tags;
        public readonly long InputTokens;
        public readonly long OutputTokens;
        public readonly long CachedInputTokens;
        public readonly long ReasoningTokens;
        public readonly decimal Cost;
        public readonly bool CostKnown;
        public readonly bool Succeeded;
        public readonly bool CacheHit;
        public readonly decimal SavedCost;
        public readonly long LatencyTicks;

        public Entry(RequestKey key, UsageRecord record)
        {
            Id = key;
            UtcTicks = record.Timestamp.UtcTicks;
            _tenantId = record.TenantId;
            _userId = record.UserId;
            _apiKeyId = record.ApiKeyId;
            _conversationId = record.ConversationId;
            _logicalModel = record.LogicalModel;
            _deployment = record.Deployment;
            _templateId = record.TemplateId;
            _tags = record.Tags;
            InputTokens = record.InputTokens;
            OutputTokens = record.OutputTokens;
            CachedInputTokens = record.CachedInputTokens;
            ReasoningTokens = record.ReasoningTokens;
            CostKnown = record.Cost.Total is not null;
            Cost = record.Cost.Total ?? 0m;
            Succeeded = record.Outcome is CallOutcome.Success or CallOutcome.CacheHit;
            CacheHit = record.Outcome == CallOutcome.CacheHit;
            SavedCost = CacheHit ? record.SavedCostUsd ?? 0m : 0m;
            LatencyTicks = record.Latency.Ticks;
        }

        public bool Matches(UsageQuery query)
        {
            if ((query.From is { } from && UtcTicks < from.UtcTicks) || (query.To is { } to && UtcTicks >= to.UtcTicks))
            {
                return false;
            }

            var scope = query.Scope;
            return scope.Kind switch
            {
                BudgetScopeKind.Global => true,
                BudgetScopeKind.Tenant => _tenantId == scope.Value,
                BudgetScopeKind.User => _userId == scope.Value,
                BudgetScopeKind.ApiKey => _apiKeyId == scope.Value,
                BudgetScopeKind.Model => string.Equals(_logicalModel, scope.Value, StringComparison.OrdinalIgnoreCase),
                BudgetScopeKind.Conversation => _conversationId == scope.Value,
                BudgetScopeKind.Custom => scope.Value.Split('=', 2) is [var key, var value] && _tags.TryGetValue(key, out string? tag) && tag == value,
                _ => false,
            };
        }

        public string? Key(UsageGrouping grouping) => grouping switch
        {
            UsageGrouping.Tenant => _tenantId,
            UsageGrouping.User => _userId,
            UsageGrouping.ApiKey => _apiKeyId,
            UsageGrouping.Model => _logicalModel,
            UsageGrouping.Deployment => _deployment,
            UsageGrouping.Conversation => _conversationId,
            UsageGrouping.Template => _templateId,
            _ => null,
        };
    }

    /// <summary>Running totals of a group of records.</summary>
    private struct Totals
    {
        private long _calls;
        private long _failures;
        private long _input;
        private long _output;
        private long _cached;
        private long _reasoning;
        private long _unknown;
        private decimal _cost;
        private long _latencyTicks;
        private long _cacheHits;
        private decimal _saved;

        public void Add(in Entry entry)
        {
            _calls++;
            _failures += entry.Succeeded ? 0 : 1;
            _input += entry.InputTokens;
            _output += entry.OutputTokens;
            _cached += entry.CachedInputTokens;
            _reasoning += entry.ReasoningTokens;
            _latencyTicks += entry.LatencyTicks;
            _cacheHits += entry.CacheHit ? 1 : 0;
            _saved += entry.SavedCost;
            if (entry.CostKnown)
            {
                _cost += entry.Cost;
            }
            else
            {
                _unknown++;
            }
        }

        public readonly UsageTotals ToUsageTotals() => new()
        {
            Calls = _calls,
            Failures = _failures,
            InputTokens = _input,
            OutputTokens = _output,
            CachedInputTokens = _cached,
            ReasoningTokens = _reasoning,
            KnownCostUsd = _cost,
            UnknownCostCalls = _unknown,
            TotalLatency = TimeSpan.FromTicks(_latencyTicks),
            CacheHits = _cacheHits,
            SavedCostUsd = _saved,
        };
    }
}
