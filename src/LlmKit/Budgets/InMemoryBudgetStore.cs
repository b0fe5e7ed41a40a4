using System.Collections.Concurrent;

namespace LlmKit;

/// <summary>
/// The default <see cref="IBudgetStore"/>: budget counters in this process's memory, one lock per budget and scope,
/// so every reservation and settlement is atomic and concurrent calls never overspend beyond their reservations.
/// </summary>
/// <remarks>
/// <para>Keeps one current window per budget and concrete scope: a key with a later window start begins a new window,
/// in which open reservations still hold their amounts (a call that straddles the boundary settles into the new
/// window). Rolling windows keep their spend in 60 buckets per period and forget each bucket one period after it
/// ends, that is at most 1/60 of the period later than exactly, never earlier.</para>
/// <para>Counters live as long as the process and are not shared between processes: apps on several machines use
/// the SQLite or PostgreSQL store. One entry is kept per budget and concrete scope (per tenant, user...) while it
/// matters: at most once per minute of the clock the store is given (the <c>now</c> of each call, from the budget
/// manager's <see cref="TimeProvider"/>), the call that notices sweeps out the entries that no longer count anything,
/// so memory follows the scopes active in the current windows, not every scope ever seen. An entry goes when it holds
/// no open reservation and its window has ended: a calendar window once a later window of the same budget has been
/// seen (for any scope); a rolling window once all its spend has rolled off and the period of its last alert is over.
/// Lifetime budgets never end, so their entries stay. Alerts of a window at or before a swept one are too late to matter
/// and are not raised again.</para>
/// </remarks>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    private const int BucketsPerPeriod = 60;

    /// <summary>How often (on the store's clock) ended entries are swept.</summary>
    private static readonly long SweepIntervalTicks = TimeSpan.FromMinutes(1).Ticks;

    private readonly ConcurrentDictionary<SlotKey, Slot> _slots = new();

    /// <summary>Per budget, the latest window start (UTC ticks) whose entries were swept; alerts up to it are too late.</summary>
    private readonly ConcurrentDictionary<string, long> _sweptThrough = new(StringComparer.Ordinal);

    private long _nextSweepTicks;
    private int _sweeping;

    /// <summary>Gets the number of budget and scope entries held (for tests).</summary>
    internal int EntryCount => _slots.Count;

    /// <inheritdoc/>
    public ValueTask<bool> TryReserveAsync(BudgetWindowKey key, string reservationId, decimal amount, decimal limit, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservationId);
        StoreRules.CheckBudgetKey(key, reservationId, nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        bool held = Reserve(key, reservationId, amount, limit, now);
        SweepIfDue(now);
        return ValueTask.FromResult(held);
    }

    /// <inheritdoc/>
    public ValueTask<decimal> SettleAsync(BudgetWindowKey key, string reservationId, decimal actual, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservationId);
        StoreRules.CheckBudgetKey(key, reservationId, nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegative(actual);
        decimal spent = Settle(key, reservationId, actual, now);
        SweepIfDue(now);
        return ValueTask.FromResult(spent);
    }

    /// <inheritdoc/>
    public ValueTask<BudgetWindowUsage> GetAsync(BudgetWindowKey key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckBudgetKey(key, null, nameof(key));
        var usage = Get(key, now);
        SweepIfDue(now);
        return ValueTask.FromResult(usage);
    }

    private bool Reserve(BudgetWindowKey key, string reservationId, decimal amount, decimal limit, DateTimeOffset now)
    {
        while (true)
        {
            var slot = SlotFor(key);
            lock (slot)
            {
                if (slot.Removed)
                {
                    // Swept between the lookup and the lock: use the entry that replaces it.
                    continue;
                }

                slot.Advance(key, now);
                if (slot.Open.ContainsKey(reservationId))
                {
                    return true;
                }

                if (slot.Spent + slot.Reserved + amount > limit)
                {
                    return false;
                }

                slot.Open.Add(reservationId, amount);
                slot.Reserved += amount;
                return true;
            }
        }
    }

    private decimal Settle(BudgetWindowKey key, string reservationId, decimal actual, DateTimeOffset now)
    {
        while (true)
        {
            var slot = SlotFor(key);
            lock (slot)
            {
                if (slot.Removed)
                {
                    continue;
                }

                slot.Advance(key, now);
                if (slot.Open.Remove(reservationId, out decimal held))
                {
                    slot.Reserved -= held;
                    slot.AddSpend(actual);
                }

                return slot.Spent;
            }
        }
    }

    private BudgetWindowUsage Get(BudgetWindowKey key, DateTimeOffset now)
    {
        while (true)
        {
            var slot = SlotFor(key);
            lock (slot)
            {
                if (slot.Removed)
                {
                    continue;
                }

                slot.Advance(key, now);
                return new BudgetWindowUsage(slot.Spent, slot.Reserved, slot.NextRollOff());
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryMarkAlertAsync(BudgetWindowKey key, decimal threshold, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckBudgetKey(key, null, nameof(key));
        while (true)
        {
            if (_sweptThrough.TryGetValue(key.BudgetId, out long swept) && key.WindowStart.UtcTicks <= swept)
            {
                // A window whose entries were swept has ended: too late to matter (and its marks are gone). Checked on
                // every attempt: a slot found removed was swept after this window was recorded here.
                return ValueTask.FromResult(false);
            }

            var slot = SlotFor(key);
            lock (slot)
            {
                if (slot.Removed)
                {
                    continue;
                }

                if (key.WindowStart < slot.AlertWindow)
                {
                    // An alert of a window that has already ended: too late to matter.
                    return ValueTask.FromResult(false);
                }

                if (key.WindowStart > slot.AlertWindow)
                {
                    slot.AlertWindow = key.WindowStart;
                    slot.Alerts.Clear();
                }

                if (slot.Alerts.Contains(threshold))
                {
                    return ValueTask.FromResult(false);
                }

                slot.Alerts.Add(threshold);
                return ValueTask.FromResult(true);
            }
        }
    }

    /// <summary>
    /// Removes the entries that no longer count anything at <paramref name="now"/>: no open reservation, and a window that
    /// has ended (see the remarks). Runs by itself at most once per minute of the store's clock; entries in use at that
    /// moment are left for the next sweep.
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <returns>How many entries were removed.</returns>
    internal int RemoveEnded(DateTimeOffset now)
    {
        // The latest window of each budget, over every scope: a calendar window before it has ended.
        var latest = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, slot) in _slots)
        {
            long window = slot.LatestWindowTicks;
            if (!latest.TryGetValue(key.BudgetId, out long known) || window > known)
            {
                latest[key.BudgetId] = window;
            }
        }

        int removed = 0;
        foreach (var (key, slot) in _slots)
        {
            if (!latest.TryGetValue(key.BudgetId, out long budgetLatest) || !Monitor.TryEnter(slot))
            {
                continue;
            }

            try
            {
                if (slot.Removed || !slot.HasEnded(now, budgetLatest))
                {
                    continue;
                }

                // Marks of this window and earlier ones go with the entry: record that they are over before it goes.
                if (slot.LatestWindowTicks > 0)
                {
                    _sweptThrough.AddOrUpdate(key.BudgetId, static (_, ticks) => ticks, static (_, old, ticks) => Math.Max(old, ticks), slot.LatestWindowTicks);
                }

                slot.Removed = true;
                _slots.TryRemove(new KeyValuePair<SlotKey, Slot>(key, slot));
                removed++;
            }
            finally
            {
                Monitor.Exit(slot);
            }
        }

        return removed;
    }

    /// <summary>
    /// Sweeps when a minute of the store's clock has passed since the last sweep, after the caller's own operation (so the
    /// first call of a new window already counts as that window having begun); one caller at a time, the others go on.
    /// </summary>
    private void SweepIfDue(DateTimeOffset now)
    {
        long ticks = now.UtcTicks;
        if (ticks < Volatile.Read(ref _nextSweepTicks) || Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0)
        {
            return;
        }

        try
        {
            if (ticks >= Volatile.Read(ref _nextSweepTicks))
            {
                Volatile.Write(ref _nextSweepTicks, ticks + SweepIntervalTicks);
                RemoveEnded(now);
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private Slot SlotFor(BudgetWindowKey key)
    {
        ArgumentNullException.ThrowIfNull(key.BudgetId);
        var slotKey = new SlotKey(key.BudgetId, key.Scope);
        return _slots.TryGetValue(slotKey, out var slot) ? slot : _slots.GetOrAdd(slotKey, static _ => new Slot());
    }

    private readonly record struct SlotKey(string BudgetId, BudgetScope Scope);

    /// <summary>The counters of one budget and scope; every member is used under the slot's lock, except <see cref="LatestWindowTicks"/>.</summary>
    private sealed class Slot
    {
        private decimal _spent;
        private decimal[]? _buckets;
        private long _bucketTicks;
        private long _head;
        private long _latestWindowTicks;
        private DateTimeOffset _alertWindow = DateTimeOffset.MinValue;

        public DateTimeOffset WindowStart { get; private set; } = DateTimeOffset.MinValue;

        public decimal Reserved { get; set; }

        public Dictionary<string, decimal> Open { get; } = new(StringComparer.Ordinal);

        /// <summary>Gets or sets a value indicating whether the sweep took the slot out of the store; a caller that locked it then looks again.</summary>
        public bool Removed { get; set; }

        public DateTimeOffset AlertWindow
        {
            get => _alertWindow;
            set
            {
                _alertWindow = value;
                Volatile.Write(ref _latestWindowTicks, Math.Max(_latestWindowTicks, value.UtcTicks));
            }
        }

        /// <summary>Gets the later of the window start and the alert window, in UTC ticks (readable without the lock).</summary>
        public long LatestWindowTicks => Volatile.Read(ref _latestWindowTicks);

        /// <summary>
        /// Whether the slot counts nothing any more: no open reservation, and either a rolling window with all its spend
        /// rolled off and its last alert's period over, or a calendar window before the budget's latest window.
        /// </summary>
        public bool HasEnded(DateTimeOffset now, long budgetLatestWindowTicks)
        {
            if (Open.Count > 0)
            {
                return false;
            }

            if (_buckets is not null)
            {
                RollTo(now.UtcTicks / _bucketTicks);
                long period = _bucketTicks * BucketsPerPeriod;
                return _spent == 0m && (_alertWindow == DateTimeOffset.MinValue || _alertWindow.UtcTicks <= now.UtcTicks - period);
            }

            // Lifetime windows (no start) never end.
            return _latestWindowTicks > 0 && _latestWindowTicks < budgetLatestWindowTicks;
        }

        public List<decimal> Alerts { get; } = new(4);

        public decimal Spent => _spent;

        /// <summary>Moves the slot to the key's window: a later calendar window starts empty; a rolling one forgets old buckets.</summary>
        public void Advance(BudgetWindowKey key, DateTimeOffset now)
        {
            if (key.RollingPeriod > TimeSpan.Zero)
            {
                long width = Math.Max(1, key.RollingPeriod.Ticks / BucketsPerPeriod);
                if (_buckets is null || _bucketTicks != width)
                {
                    _buckets = new decimal[BucketsPerPeriod + 1];
                    _bucketTicks = width;
                    _spent = 0m;
                    _head = now.UtcTicks / width;
                    return;
                }

                RollTo(now.UtcTicks / width);
                return;
            }

            if (key.WindowStart > WindowStart)
            {
                // A new calendar window: spend starts again; open reservations keep holding their amounts in it.
                WindowStart = key.WindowStart;
                _spent = 0m;
                Volatile.Write(ref _latestWindowTicks, Math.Max(_latestWindowTicks, key.WindowStart.UtcTicks));
            }
        }

        /// <summary>Forgets the rolling buckets that ended before bucket <paramref name="index"/>.</summary>
        private void RollTo(long index)
        {
            if (index <= _head)
            {
                return;
            }

            long steps = Math.Min(index - _head, _buckets!.Length);
            for (long i = 1; i <= steps; i++)
            {
                ref decimal bucket = ref _buckets[(int)((_head + i) % _buckets.Length)];
                _spent -= bucket;
                bucket = 0m;
            }

            _head = index;
        }

        public void AddSpend(decimal amount)
        {
            _spent += amount;
            if (_buckets is not null)
            {
                _buckets[(int)(_head % _buckets.Length)] += amount;
            }
        }

        public DateTimeOffset? NextRollOff()
        {
            if (_buckets is null || _spent == 0m)
            {
                return null;
            }

            for (long i = _head - BucketsPerPeriod; i <= _head; i++)
            {
                if (i >= 0 && _buckets[(int)(i % _buckets.Length)] != 0m)
                {
                    return new DateTimeOffset((i + _buckets.Length) * _bucketTicks, TimeSpan.Zero);
                }
            }

            return null;
        }
    }
}
