using System.Globalization;
using System.Text;

namespace LlmKit;

/// <summary>
/// The counters of one budget and concrete scope as the durable budget stores keep them in one row, with the same
/// rules as <c>InMemoryBudgetStore</c>: one current calendar window (a later window start resets the spend, open
/// reservations carry over), rolling windows in 60 buckets per period, alerts once per window start and threshold.
/// A store loads the row under a write lock, applies one operation and writes it back.
/// </summary>
internal sealed class BudgetSlotState
{
    public const int BucketsPerPeriod = 60;

    private readonly SortedDictionary<long, decimal> _buckets = [];
    private readonly List<decimal> _alerts = new(4);

    public long WindowStart { get; set; }

    public decimal Spent { get; set; }

    public decimal Reserved { get; set; }

    public long BucketTicks { get; set; }

    public long Head { get; set; }

    public long AlertWindow { get; set; }

    /// <summary>Reads a row; <paramref name="buckets"/> and <paramref name="alerts"/> are as <see cref="BucketsText"/> and <see cref="AlertsText"/> write them.</summary>
    public static BudgetSlotState Load(long windowStart, decimal spent, decimal reserved, long bucketTicks, long head, string buckets, long alertWindow, string alerts)
    {
        var state = new BudgetSlotState
        {
            WindowStart = windowStart,
            Spent = spent,
            Reserved = reserved,
            BucketTicks = bucketTicks,
            Head = head,
            AlertWindow = alertWindow,
        };
        foreach (var part in buckets.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            state._buckets[long.Parse(part.AsSpan(0, eq), NumberStyles.Integer, CultureInfo.InvariantCulture)] = decimal.Parse(part.AsSpan(eq + 1), NumberStyles.Number, CultureInfo.InvariantCulture);
        }

        foreach (var part in alerts.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            state._alerts.Add(decimal.Parse(part, NumberStyles.Number, CultureInfo.InvariantCulture));
        }

        return state;
    }

    /// <summary>Gets the rolling buckets as <c>index=amount;...</c>.</summary>
    public string BucketsText
    {
        get
        {
            var text = new StringBuilder();
            foreach (var (index, amount) in _buckets)
            {
                text.Append(CultureInfo.InvariantCulture, $"{index}={amount};");
            }

            return text.ToString();
        }
    }

    /// <summary>Gets the thresholds alerted in <see cref="AlertWindow"/> as <c>0.5;0.8;</c>.</summary>
    public string AlertsText
    {
        get
        {
            var text = new StringBuilder();
            foreach (decimal threshold in _alerts)
            {
                text.Append(CultureInfo.InvariantCulture, $"{threshold};");
            }

            return text.ToString();
        }
    }

    /// <summary>Moves to the key's window: a later calendar window starts empty; a rolling one forgets buckets older than its period.</summary>
    public void Advance(BudgetWindowKey key, DateTimeOffset now)
    {
        if (key.RollingPeriod > TimeSpan.Zero)
        {
            long width = Math.Max(1, key.RollingPeriod.Ticks / BucketsPerPeriod);
            if (BucketTicks != width)
            {
                _buckets.Clear();
                BucketTicks = width;
                Spent = 0m;
                Head = now.UtcTicks / width;
                return;
            }

            long index = now.UtcTicks / width;
            if (index <= Head)
            {
                return;
            }

            // Buckets Head - 60 .. Head are kept (as the in-memory ring of 61); moving to index forgets those below index - 60.
            List<long>? expired = null;
            foreach (var (bucket, amount) in _buckets)
            {
                if (bucket >= index - BucketsPerPeriod)
                {
                    break;
                }

                Spent -= amount;
                (expired ??= []).Add(bucket);
            }

            if (expired is not null)
            {
                foreach (long bucket in expired)
                {
                    _buckets.Remove(bucket);
                }
            }

            Head = index;
            return;
        }

        long start = key.WindowStart.UtcTicks;
        if (start > WindowStart)
        {
            WindowStart = start;
            Spent = 0m;
        }
    }

    /// <summary>Adds settled spend to the window (and to the current bucket of a rolling window).</summary>
    public void AddSpend(decimal amount)
    {
        Spent += amount;
        if (BucketTicks > 0 && amount != 0m)
        {
            _buckets[Head] = _buckets.TryGetValue(Head, out decimal held) ? held + amount : amount;
        }
    }

    /// <summary>For a rolling window, when its oldest spend stops counting.</summary>
    public DateTimeOffset? NextRollOff()
    {
        if (BucketTicks <= 0 || Spent == 0m)
        {
            return null;
        }

        foreach (var (bucket, amount) in _buckets)
        {
            if (bucket >= Head - BucketsPerPeriod && bucket >= 0 && amount != 0m)
            {
                return new DateTimeOffset((bucket + BucketsPerPeriod + 1) * BucketTicks, TimeSpan.Zero);
            }
        }

        return null;
    }

    /// <summary>Records an alert once per window start and threshold.</summary>
    /// <returns><see langword="true"/> for the first call.</returns>
    public bool TryMarkAlert(BudgetWindowKey key, decimal threshold)
    {
        long start = key.WindowStart.UtcTicks;
        if (start < AlertWindow)
        {
            // An alert of a window that has already ended: too late to matter.
            return false;
        }

        if (start > AlertWindow)
        {
            AlertWindow = start;
            _alerts.Clear();
        }

        if (_alerts.Contains(threshold))
        {
            return false;
        }

        _alerts.Add(threshold);
        return true;
    }
}
