using System.Diagnostics.CodeAnalysis;
using System.Threading.RateLimiting;

namespace LlmKit;

/// <summary>
/// A per-minute limit (requests or tokens) as a System.Threading.RateLimiting <see cref="RateLimiter"/>: a token bucket that
/// holds a minute's worth and refills continuously from a <see cref="TimeProvider"/> (the framework's token bucket refills
/// from the real clock only, so limits could not follow LlmKit's clock or a fake one in tests). It never queues: a
/// request that does not fit is rejected at once with the wait in <see cref="MetadataName.RetryAfter"/>.
/// </summary>
internal sealed class PerMinuteRateLimiter : RateLimiter
{
    private static readonly RateLimitLease Acquired = new Lease(true, null);
    private readonly TimeProvider _time;
    private readonly double _perTick;
    private readonly Lock _lock = new();
    private double _available;
    private long _last;
    private long _successful;
    private long _failed;

    public PerMinuteRateLimiter(int perMinute, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        Limit = perMinute;
        _time = time;
        _perTick = perMinute / (double)TimeSpan.TicksPerMinute;
        _available = perMinute;
        _last = time.GetTimestamp();
    }

    /// <summary>Gets the permits per minute (and the most the bucket holds).</summary>
    public int Limit { get; }

    /// <inheritdoc/>
    public override TimeSpan? IdleDuration => null;

    /// <inheritdoc/>
    public override RateLimiterStatistics GetStatistics()
    {
        lock (_lock)
        {
            Refill();
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = (long)_available,
                CurrentQueuedCount = 0,
                TotalSuccessfulLeases = _successful,
                TotalFailedLeases = _failed,
            };
        }
    }

    /// <inheritdoc/>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        int permits = Math.Min(permitCount, Limit);
        lock (_lock)
        {
            Refill();
            if (_available >= permits)
            {
                _available -= permits;
                _successful++;
                return Acquired;
            }

            _failed++;
            return new Lease(false, TimeSpan.FromTicks((long)Math.Ceiling((permits - _available) / _perTick)));
        }
    }

    /// <inheritdoc/>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        => ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private void Refill()
    {
        long now = _time.GetTimestamp();
        double ticks = _time.GetElapsedTime(_last, now).Ticks;
        _last = now;
        _available = Math.Min(Limit, _available + (ticks * _perTick));
    }

    private sealed class Lease(bool isAcquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => isAcquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = wait;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
