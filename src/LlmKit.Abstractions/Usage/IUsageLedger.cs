namespace LlmKit;

/// <summary>
/// The record of every call's usage and cost. Writes are idempotent by request id, so retries and
/// fallbacks never count twice.
/// </summary>
public interface IUsageLedger
{
    /// <summary>Records a call. A record whose <see cref="UsageRecord.RequestId"/> is already stored is ignored.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> when stored; <see langword="false"/> when the request id was already present.</returns>
    /// <exception cref="ArgumentException">
    /// The request id is empty, a token count is negative (the message names the field, such as <c>InputTokens</c>), or an
    /// id, model, provider, deployment or tag holds a NUL character (U+0000), which the LlmKit ledgers refuse (PostgreSQL
    /// cannot keep it), or an unpaired surrogate (not well-formed UTF-16, which a database would turn into U+FFFD); nothing
    /// is written.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">The record's cost is beyond 900,000,000 USD either way (what a SQLite ledger can keep); nothing is written.</exception>
    ValueTask<bool> RecordAsync(UsageRecord record, CancellationToken cancellationToken = default);

    /// <summary>Returns the totals of the records selected by <paramref name="query"/>.</summary>
    /// <param name="query">The selection.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The totals.</returns>
    ValueTask<UsageTotals> GetTotalsAsync(UsageQuery query, CancellationToken cancellationToken = default);

    /// <summary>Returns the <paramref name="count"/> biggest spenders by known cost, grouped by <paramref name="groupBy"/>.</summary>
    /// <param name="query">The selection.</param>
    /// <param name="groupBy">What to group by.</param>
    /// <param name="count">How many groups to return.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The groups, biggest first.</returns>
    ValueTask<IReadOnlyList<KeyValuePair<string, UsageTotals>>> GetTopAsync(UsageQuery query, UsageGrouping groupBy, int count, CancellationToken cancellationToken = default);

    /// <summary>Returns the totals per hour or day (UTC buckets) of the records selected by <paramref name="query"/>.</summary>
    /// <param name="query">The selection.</param>
    /// <param name="interval">The bucket width.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One entry per non-empty bucket, in time order, keyed by the bucket start.</returns>
    ValueTask<IReadOnlyList<KeyValuePair<DateTimeOffset, UsageTotals>>> GetTimeSeriesAsync(UsageQuery query, UsageInterval interval, CancellationToken cancellationToken = default);
}
