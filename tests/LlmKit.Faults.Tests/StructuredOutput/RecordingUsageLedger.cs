using System.Collections.Concurrent;

namespace LlmKit.Faults.Tests.Structured;

/// <summary>A usage ledger that keeps every record it is given, so a test can see the request ids and tags of each call.</summary>
internal sealed class RecordingUsageLedger : IUsageLedger
{
    private readonly InMemoryUsageLedger _inner = new();

    public ConcurrentQueue<UsageRecord> Records { get; } = new();

    public ValueTask<bool> RecordAsync(UsageRecord record, CancellationToken cancellationToken = default)
    {
        Records.Enqueue(record);
        return _inner.RecordAsync(record, cancellationToken);
    }

    public ValueTask<UsageTotals> GetTotalsAsync(UsageQuery query, CancellationToken cancellationToken = default) => _inner.GetTotalsAsync(query, cancellationToken);

    public ValueTask<IReadOnlyList<KeyValuePair<string, UsageTotals>>> GetTopAsync(UsageQuery query, UsageGrouping groupBy, int count, CancellationToken cancellationToken = default)
        => _inner.GetTopAsync(query, groupBy, count, cancellationToken);

    public ValueTask<IReadOnlyList<KeyValuePair<DateTimeOffset, UsageTotals>>> GetTimeSeriesAsync(UsageQuery query, UsageInterval interval, CancellationToken cancellationToken = default)
        => _inner.GetTimeSeriesAsync(query, interval, cancellationToken);
}
