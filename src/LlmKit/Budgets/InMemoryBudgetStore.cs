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
/// the SQLite or PostgreSQL store. One entry is kept per budget and concrete scope (per tenant, user...).</para>
/// </remarks>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    private const int BucketsPerPeriod = 60;
    private readonly ConcurrentDictionary<SlotKey, Slot> _slots = new();

    /// <inheritdoc/>
    public ValueTask<bool> TryReserveAsync(BudgetWindowKey key, string reservationId, decimal amount, decimal limit, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservationId);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var slot = SlotFor(key);
        lock (slot)
        {
            slot.Advance(key, now);
            if (slot.Open.ContainsKey(reservationId))
            {
                return ValueTask.FromResult(true);
            }

            if (slot.Spent + slot.Reserved + amount > limit)
            {
                return ValueTask.FromResult(false);
            }

            slot.Open.Add(reservationId, amount);
            slot.Reserved += amount;
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public ValueTask<decimal> SettleAsync(BudgetWindowKey key, string reservationId, decimal actual, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservationId);
        ArgumentOutOfRangeException.ThrowIfNegative(actual);
        var slot = SlotFor(key);
        lock (slot)
        {
            slot.Advance(key, now);
            if (slot.Open.Remove(reservationId, out decimal held))
            {
                slot.Reserved -= held;
                slot.AddSpend(actual);
            }

            return ValueTask.FromResult(slot.Spent);
        }
    }

    /// <inheritdoc/>
    public ValueTask<BudgetWindowUsage> GetAsync(BudgetWindowKey key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var slot = SlotFor(key);
        lock (slot)
        {
            slot.Advance(key, now);
            return ValueTask.FromResult(new BudgetWindowUsage(slot.Spent, slot.Reserved, slot.NextRollOff()));
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryMarkAlertAsync(BudgetWindowKey key, decimal threshold, CancellationToken cancellationToken = default)
    {
        var slot = SlotFor(key);
        lock (slot)
        {
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

    private Slot SlotFor(BudgetWindowKey key)
    {
        ArgumentNullException.ThrowIfNull(key.BudgetId);
        var slotKey = new SlotKey(key.BudgetId, key.Scope);
        return _slots.TryGetValue(slotKey, out var slot) ? slot : _slots.GetOrAdd(slotKey, static _ => new Slot());
    }

    private readonly record struct SlotKey(string BudgetId, BudgetScope Scope);

    /// <summary>The counters of one budget and scope; every member is used under the slot's lock.</summary>
    private sealed class Slot
    {
        private decimal _spent;
        private decimal[]? _buckets;
        private long _bucketTicks;
        private long _head;

        public DateTimeOffset WindowStart { get; private set; } = DateTimeOffset.MinValue;

        public decimal Reserved { get; set; }

        public Dictionary<string, decimal> Open { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset AlertWindow { get; set; } = DateTimeOffset.MinValue;

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

                long index = now.UtcTicks / width;
                if (index <= _head)
                {
                    return;
                }

                long steps = Math.Min(index - _head, _buckets.Length);
                for (long i = 1; i <= steps; i++)
                {
                    ref decimal bucket = ref _buckets[(int)((_head + i) % _buckets.Length)];
                    _spent -= bucket;
                    bucket = 0m;
                }

                _head = index;
                return;
            }

            if (key.WindowStart > WindowStart)
            {
                // A new calendar window: spend starts again; open reservations keep holding their amounts in it.
                WindowStart = key.WindowStart;
                _spent = 0m;
            }
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
