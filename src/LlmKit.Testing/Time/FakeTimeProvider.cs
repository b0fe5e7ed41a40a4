using System.Globalization;
using System.Runtime.ExceptionServices;

namespace LlmKit.Testing;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock only moves when a test moves it, so code that waits,
/// times out or reads the time can be tested without real delays.
/// </summary>
/// <remarks>
/// <para>
/// Timers created through <see cref="CreateTimer"/> are fake too: they fire synchronously, on the
/// thread that calls <see cref="Advance"/> or <see cref="SetUtcNow"/>, in order of their due time
/// (timers due at the same instant fire in the order they were scheduled). While a timer fires,
/// <see cref="GetUtcNow"/> returns that timer's due time, so a periodic timer observes each of its
/// ticks and a timer created by a callback fires within the same advance when it falls due before
/// the target time. This makes <c>Task.Delay(delay, timeProvider)</c>,
/// <c>new CancellationTokenSource(delay, timeProvider)</c> and <c>CancelAfter</c> work with fake time.
/// </para>
/// <para>
/// Continuations of awaited delays usually run inline inside <see cref="Advance"/> when the awaiting
/// code uses <c>ConfigureAwait(false)</c>; when they are posted elsewhere (a synchronization context,
/// <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>), await the code under test
/// before asserting.
/// </para>
/// <para>All members are thread-safe. The clock never moves backwards.</para>
/// </remarks>
public sealed class FakeTimeProvider : TimeProvider
{
    /// <summary>The default start time: 2000-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset DefaultStartTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Lock _lock = new();
    private readonly List<FakeTimer> _scheduled = [];
    private DateTimeOffset _now;
    private TimeSpan _autoAdvanceAmount;
    private TimeZoneInfo _localTimeZone = TimeZoneInfo.Utc;
    private long _nextSequence;

    /// <summary>Initializes a new instance whose clock starts at <see cref="DefaultStartTime"/> (2000-01-01T00:00:00Z).</summary>
    public FakeTimeProvider()
        : this(DefaultStartTime)
    {
    }

    /// <summary>Initializes a new instance whose clock starts at <paramref name="startDateTime"/>.</summary>
    /// <param name="startDateTime">The initial time; it is converted to UTC.</param>
    public FakeTimeProvider(DateTimeOffset startDateTime)
    {
        Start = startDateTime.ToUniversalTime();
        _now = Start;
    }

    /// <summary>Gets the time the clock started at, in UTC.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>
    /// Gets or sets how far the clock moves forward after each call to <see cref="GetUtcNow"/>
    /// (after the current value has been read; timers that fall due then fire, seeing the advanced time).
    /// Defaults to <see cref="TimeSpan.Zero"/>: the clock only moves through <see cref="Advance"/> and
    /// <see cref="SetUtcNow"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan AutoAdvanceAmount
    {
        get
        {
            lock (_lock)
            {
                return _autoAdvanceAmount;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            lock (_lock)
            {
                _autoAdvanceAmount = value;
            }
        }
    }

    /// <summary>
    /// Gets the local time zone reported to the code under test. Defaults to <see cref="TimeZoneInfo.Utc"/>,
    /// so that tests do not depend on the machine's zone; change it with <see cref="SetLocalTimeZone"/>.
    /// </summary>
    public override TimeZoneInfo LocalTimeZone
    {
        get
        {
            lock (_lock)
            {
                return _localTimeZone;
            }
        }
    }

    /// <summary>Gets the frequency of <see cref="GetTimestamp"/>: <see cref="TimeSpan.TicksPerSecond"/> (one timestamp unit is one tick of 100 ns).</summary>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>
    /// Gets the number of timers that are scheduled to fire: created, not disposed, and with a finite due time.
    /// Useful to wait until the code under test has started a delay before advancing the clock.
    /// </summary>
    public int PendingTimerCount
    {
        get
        {
            lock (_lock)
            {
                return _scheduled.Count;
            }
        }
    }

    /// <summary>
    /// Returns the current fake time in UTC, then moves the clock forward by <see cref="AutoAdvanceAmount"/>
    /// (firing any timer that falls due).
    /// </summary>
    /// <returns>The current fake time, with a zero offset.</returns>
    public override DateTimeOffset GetUtcNow()
    {
        DateTimeOffset result;
        bool advanced;
        lock (_lock)
        {
            result = _now;
            advanced = _autoAdvanceAmount > TimeSpan.Zero;
            _now += _autoAdvanceAmount;
        }

        if (advanced)
        {
            RunTimersUntil(DateTimeOffset.MinValue);
        }

        return result;
    }

    /// <summary>
    /// Returns a timestamp consistent with the fake clock: the UTC ticks of the current fake time,
    /// in units of <see cref="TimestampFrequency"/>. Does not move the clock, even when
    /// <see cref="AutoAdvanceAmount"/> is set.
    /// </summary>
    /// <returns>The current timestamp.</returns>
    public override long GetTimestamp()
    {
        lock (_lock)
        {
            return _now.UtcTicks;
        }
    }

    /// <summary>Changes the local time zone reported by <see cref="LocalTimeZone"/>.</summary>
    /// <param name="localTimeZone">The zone to report.</param>
    /// <exception cref="ArgumentNullException"><paramref name="localTimeZone"/> is <see langword="null"/>.</exception>
    public void SetLocalTimeZone(TimeZoneInfo localTimeZone)
    {
        ArgumentNullException.ThrowIfNull(localTimeZone);
        lock (_lock)
        {
            _localTimeZone = localTimeZone;
        }
    }

    /// <summary>
    /// Moves the clock forward by <paramref name="delta"/>, firing every timer that falls due on the way,
    /// in due-time order, on the calling thread.
    /// </summary>
    /// <param name="delta">How far to move the clock; <see cref="TimeSpan.Zero"/> only fires timers already due.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative.</exception>
    /// <exception cref="AggregateException">More than one timer callback threw; the clock still reached its target.</exception>
    /// <remarks>An exception thrown by a single timer callback is rethrown after the clock has reached its target.</remarks>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_lock)
        {
            target = _now + delta;
        }

        RunTimersUntil(target);
    }

    /// <summary>
    /// Moves the clock forward to <paramref name="value"/>, firing every timer that falls due on the way,
    /// in due-time order, on the calling thread.
    /// </summary>
    /// <param name="value">The new time; it is converted to UTC.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is earlier than the current fake time; the clock never moves backwards.</exception>
    /// <exception cref="AggregateException">More than one timer callback threw; the clock still reached its target.</exception>
    public void SetUtcNow(DateTimeOffset value)
    {
        DateTimeOffset target = value.ToUniversalTime();
        lock (_lock)
        {
            if (target < _now)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(value),
                    value,
                    string.Create(CultureInfo.InvariantCulture, $"The fake clock cannot move backwards: it is {_now:O} and {target:O} was requested."));
            }
        }

        RunTimersUntil(target);
    }

    /// <summary>
    /// Creates a fake timer that fires when the fake clock reaches its due time.
    /// </summary>
    /// <param name="callback">What the timer calls when it fires.</param>
    /// <param name="state">The object passed to <paramref name="callback"/>; may be <see langword="null"/>.</param>
    /// <param name="dueTime">The delay before the first firing; <see cref="Timeout.InfiniteTimeSpan"/> never fires; <see cref="TimeSpan.Zero"/> fires before this method returns.</param>
    /// <param name="period">The interval between later firings; <see cref="Timeout.InfiniteTimeSpan"/> or <see cref="TimeSpan.Zero"/> fires once.</param>
    /// <returns>The timer; change it with <see cref="ITimer.Change"/> and stop it with <see cref="IDisposable.Dispose"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dueTime"/> or <paramref name="period"/> is negative and not infinite.</exception>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new FakeTimer(this, callback, state);
        _ = timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Returns the current fake time in ISO 8601 format, for test diagnostics.</summary>
    /// <returns>The current fake time, such as <c>2000-01-01T00:00:00.0000000+00:00</c>.</returns>
    public override string ToString()
    {
        lock (_lock)
        {
            return _now.ToString("O", CultureInfo.InvariantCulture);
        }
    }

    private static void ValidateTimerSpan(TimeSpan value, string paramName)
    {
        if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(paramName, value, "The time span must be non-negative or Timeout.InfiniteTimeSpan.");
        }
    }

    private void RunTimersUntil(DateTimeOffset target)
    {
        List<Exception>? errors = null;
        while (true)
        {
            FakeTimer? due = null;
            lock (_lock)
            {
                DateTimeOffset bound = target > _now ? target : _now;
                foreach (FakeTimer candidate in _scheduled)
                {
                    if (candidate.DueAt <= bound
                        && (due is null || candidate.DueAt < due.DueAt || (candidate.DueAt == due.DueAt && candidate.Sequence < due.Sequence)))
                    {
                        due = candidate;
                    }
                }

                if (due is null)
                {
                    if (target > _now)
                    {
                        _now = target;
                    }

                    break;
                }

                if (due.DueAt > _now)
                {
                    _now = due.DueAt;
                }

                if (due.Period > TimeSpan.Zero)
                {
                    due.DueAt += due.Period;
                    due.Sequence = _nextSequence++;
                }
                else
                {
                    _ = _scheduled.Remove(due);
                }
            }

            try
            {
                due.Fire();
            }
#pragma warning disable CA1031 // Every callback must run; the failures are rethrown once the clock has reached its target.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                (errors ??= []).Add(ex);
            }
        }

        if (errors is { Count: 1 })
        {
            ExceptionDispatchInfo.Throw(errors[0]);
        }
        else if (errors is not null)
        {
            throw new AggregateException("More than one fake timer callback threw.", errors);
        }
    }

    private bool Schedule(FakeTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        ValidateTimerSpan(dueTime, nameof(dueTime));
        ValidateTimerSpan(period, nameof(period));
        bool fireNow;
        lock (_lock)
        {
            if (timer.IsDisposed)
            {
                return false;
            }

            _ = _scheduled.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return true;
            }

            timer.DueAt = _now + dueTime;
            timer.Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            timer.Sequence = _nextSequence++;
            _scheduled.Add(timer);
            fireNow = dueTime == TimeSpan.Zero;
        }

        if (fireNow)
        {
            RunTimersUntil(DateTimeOffset.MinValue);
        }

        return true;
    }

    private void Unschedule(FakeTimer timer)
    {
        lock (_lock)
        {
            timer.IsDisposed = true;
            _ = _scheduled.Remove(timer);
        }
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        // Guarded by owner._lock.
        public DateTimeOffset DueAt { get; set; }

        public TimeSpan Period { get; set; }

        public long Sequence { get; set; }

        public bool IsDisposed { get; set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period) => owner.Schedule(this, dueTime, period);

        public void Dispose() => owner.Unschedule(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
