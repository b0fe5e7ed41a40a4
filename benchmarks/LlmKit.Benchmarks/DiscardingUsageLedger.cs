namespace LlmKit.Benchmarks;

/// <summary>A ledger that keeps nothing: isolates the metering stage's own cost from the cost of storing records.</summary>
public sealed class DiscardingUsageLedger : IUsageLedger
{
    public ValueTask<bool> RecordAsync(UsageRecord record, CancellationToken cancellationToken = default) => ValueTask.FromResult(true);

    public ValueTask<UsageTotals> GetTotalsAsync(UsageQuery query, CancellationToken cancellationToken = default) => ValueTask.FromResult(new UsageTotals());

    public ValueTask<IReadOnlyList<KeyValuePair<string, UsageTotals>>> GetTopAsync(UsageQuery query, UsageGrouping groupBy, int count, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<KeyValuePair<string, UsageTotals>>>([]);

    public ValueTask<IReadOnlyList<KeyValuePair<DateTimeOffset, UsageTotals>>> GetTimeSeriesAsync(UsageQuery query, UsageInterval interval, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<KeyValuePair<DateTimeOffset, UsageTotals>>>([]);
}
