using System.Threading.RateLimiting;

namespace LlmKit;

/// <summary>
/// A per-minute limit (requests or tokens) as a <see cref="TokenBucketRateLimiter"/> that is refilled from a
/// <see cref="TimeProvider"/> rather than its own timer, so that limits follow the clock LlmKit runs on (and a fake clock in
/// tests). The bucket holds a minute's worth and refills continuously in small steps.
/// </summary>
internal sealed class ReplenishedTokenBucket : IDisposable
{
    private static readonly TimeSpan MinimumPeriod = TimeSpan.FromMilliseconds(100);
    private readonly TokenBucketRateLimiter _limiter;
    private readonly TimeProvider _time;
    private readonly TimeSpan _period;
    private readonly int _limit;
    private readonly int _maxSteps;
    private readonly Lock _lock = new();
    private long _lastRefill;

    public ReplenishedTokenBucket(int perMinute, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        _limit = perMinute;
        _time = time;
        var period = TimeSpan.FromTicks(TimeSpan.FromMinutes(1).Ticks / perMinute);
        _period = period < MinimumPeriod ? MinimumPeriod : period;
        int perPeriod = (int)Math.Max(1, Math.Round(perMinute * _period.TotalMinutes));
        _maxSteps = (perMinute / perPeriod) + 1;
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = _period,
            QueueLimit = 0,
            AutoReplenishment = false,
        });
        _lastRefill = time.GetTimestamp();
    }

    /// <summary>Takes <paramref name="count"/> permits (at most a minute's worth) or says how long to wait.</summary>
    public bool TryTake(int count, out TimeSpan? retryAfter)
    {
        Refill();
        using var lease = _limiter.AttemptAcquire(Math.Clamp(count, 1, _limit));
        if (lease.IsAcquired)
        {
            retryAfter = null;
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : _period;
        return false;
    }

    public void Dispose() => _limiter.Dispose();

    private void Refill()
    {
        long now = _time.GetTimestamp();
        if (_time.GetElapsedTime(Volatile.Read(ref _lastRefill), now) < _period)
        {
            return;
        }

        lock (_lock)
        {
            long steps = _time.GetElapsedTime(_lastRefill, now).Ticks / _period.Ticks;
            if (steps <= 0)
            {
                return;
            }

            for (long i = 0; i < Math.Min(steps, _maxSteps); i++)
            {
                _limiter.TryReplenish();
            }

            _lastRefill += (long)(steps * _period.Ticks * (_time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));
        }
    }
}
