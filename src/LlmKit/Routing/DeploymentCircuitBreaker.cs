using System.Runtime.InteropServices;
using Polly.CircuitBreaker;

namespace LlmKit;

/// <summary>
/// A deployment's circuit breaker with the semantics of Polly.Core's advanced circuit breaker (failure ratio over a
/// sampling duration split into ten windows, minimum throughput, break duration, one half-open probe), built so that a
/// success in the closed state costs one interlocked increment, on a counter striped per processor, and no lock.
/// </summary>
/// <remarks>
/// As in Polly: outcomes that are not service failures count as successes; a failure while the circuit is open only
/// counts; after the break duration the next call is the probe and every other call is rejected until it ends; the probe's
/// success closes the circuit (and resets the counts), its failure opens it again.
/// </remarks>
internal sealed class DeploymentCircuitBreaker
{
    private const int NumberOfWindows = 10;
    private const string BrokenMessage = "The circuit is now open and is not allowing calls.";
    private static readonly TimeSpan SingleWindowBelow = TimeSpan.FromMilliseconds(200);

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly double _failureRatio;
    private readonly int _minimumThroughput;
    private readonly long _samplingTicks;
    private readonly long _windowTicks;
    private readonly long _breakTicks;
    private readonly Queue<Window> _windows = new();
    private volatile Window? _current;
    private volatile int _state = (int)CircuitState.Closed;
    private long _blockedUntilTicks;
    private Exception? _breakingException;

    public DeploymentCircuitBreaker(double failureRatio, int minimumThroughput, TimeSpan samplingDuration, TimeSpan breakDuration, TimeProvider time)
    {
        _failureRatio = failureRatio;
        _minimumThroughput = minimumThroughput;
        _samplingTicks = samplingDuration.Ticks;

        // Polly keeps one window below 200 ms of sampling and ten rolling windows from there on.
        _windowTicks = samplingDuration < SingleWindowBelow ? samplingDuration.Ticks : samplingDuration.Ticks / NumberOfWindows;
        _breakTicks = breakDuration.Ticks;
        _time = time;
    }

    public CircuitState State => (CircuitState)_state;

    /// <summary>
    /// Lets a call through, or returns the exception that rejects it (the circuit is open, or half-open with its probe
    /// already running).
    /// </summary>
    public BrokenCircuitException? TryEnter()
    {
        if (_state == (int)CircuitState.Closed)
        {
            return null;
        }

        lock (_lock)
        {
            if (_state == (int)CircuitState.Open)
            {
                long now = _time.GetUtcNow().UtcTicks;
                if (now >= _blockedUntilTicks)
                {
                    _blockedUntilTicks = now + _breakTicks;
                    _state = (int)CircuitState.HalfOpen;
                    return null;
                }
            }

            if (_state == (int)CircuitState.Closed)
            {
                return null;
            }

            var retryAfter = TimeSpan.FromTicks(Math.Max(0, _blockedUntilTicks - _time.GetUtcNow().UtcTicks));
            return _breakingException is { } breaking
                ? new BrokenCircuitException(BrokenMessage, retryAfter, breaking)
                : new BrokenCircuitException(BrokenMessage, retryAfter);
        }
    }

    /// <summary>Records the outcome of a call that <see cref="TryEnter"/> let through.</summary>
    /// <param name="failure">The service failure, or <see langword="null"/> for a success or an outcome the breaker does not count as a failure.</param>
    public void Record(Exception? failure)
    {
        if (failure is null)
        {
            RecordSuccess();
        }
        else
        {
            RecordFailure(failure);
        }
    }

    private void RecordSuccess()
    {
        long now = _time.GetUtcNow().UtcTicks;
        if (_state == (int)CircuitState.Closed && _current is { } window && now - window.Started < _windowTicks)
        {
            window.AddSuccess();

            // The window may have been dropped by a reset in between; the count then lands in a discarded window, exactly as
            // a success that Polly records just before another call closes the circuit.
            return;
        }

        lock (_lock)
        {
            Current(now).AddSuccess();
            if (_state == (int)CircuitState.HalfOpen)
            {
                Close();
            }
        }
    }

    private void RecordFailure(Exception failure)
    {
        long now = _time.GetUtcNow().UtcTicks;
        lock (_lock)
        {
            _breakingException = failure;
            Interlocked.Increment(ref Current(now).Failures);
            switch ((CircuitState)_state)
            {
                case CircuitState.HalfOpen:
                    Open(now);
                    break;
                case CircuitState.Closed:
                    long successes = 0, failures = 0;
                    foreach (var window in _windows)
                    {
                        successes += window.Successes;
                        failures += Volatile.Read(ref window.Failures);
                    }

                    long throughput = successes + failures;
                    if (throughput >= _minimumThroughput && (double)failures / throughput >= _failureRatio)
                    {
                        Open(now);
                    }

                    break;
            }
        }
    }

    /// <summary>Returns the window that counts now, rolling and expiring windows (under the lock).</summary>
    private Window Current(long now)
    {
        if (_current is not { } current || now - current.Started >= _windowTicks)
        {
            current = new Window(now);
            _windows.Enqueue(current);
            _current = current;
        }

        while (_windows.Count > 0 && now - _windows.Peek().Started >= _samplingTicks)
        {
            _windows.Dequeue();
        }

        if (_windows.Count == 0)
        {
            // Only when the sampling duration is shorter than a window (never by configuration); keep counting somewhere.
            _windows.Enqueue(current);
        }

        return current;
    }

    private void Open(long now)
    {
        _blockedUntilTicks = _breakTicks > long.MaxValue - now ? long.MaxValue : now + _breakTicks;
        _state = (int)CircuitState.Open;
    }

    private void Close()
    {
        _blockedUntilTicks = 0;
        _breakingException = null;
        _windows.Clear();
        _current = null;
        _state = (int)CircuitState.Closed;
    }

    private sealed class Window(long started)
    {
        public readonly long Started = started;
        public int Failures;

        /// <summary>Successes per processor stripe: the closed-state success path of concurrent calls does not contend.</summary>
        private readonly SuccessCount[] _successes = new SuccessCount[ProcessorStripes.Count];

        public long Successes
        {
            get
            {
                long sum = 0;
                for (int i = 0; i < _successes.Length; i++)
                {
                    sum += Volatile.Read(ref _successes[i].Value);
                }

                return sum;
            }
        }

        public void AddSuccess() => Interlocked.Increment(ref _successes[ProcessorStripes.Current].Value);

        [StructLayout(LayoutKind.Explicit, Size = 128)]
        private struct SuccessCount
        {
            [FieldOffset(64)]
            public int Value;
        }
    }
}
