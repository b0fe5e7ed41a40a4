using System.Runtime.InteropServices;

namespace LlmKit;

/// <summary>
/// The counters of one deployment or logical model. Thread-safe; the hot path uses only interlocked operations, on counters
/// striped per processor (see <see cref="ProcessorStripes"/>) so that concurrent calls on different cores do not contend.
/// </summary>
internal sealed class PerformanceCounters
{
    private static readonly int FailureKinds = Enum.GetValues<LlmFailureKind>().Length;
    private readonly long[] _failures = new long[FailureKinds];
    private readonly SampleReservoir _latencyMs = new();
    private readonly SampleReservoir _firstChunkMs = new();
    private readonly SampleReservoir _tokensPerSecond = new();
    private readonly Lock _costLock = new();
    private readonly Cell[] _cells = new Cell[ProcessorStripes.Count];
    private long _unknownCostCalls;
    private decimal _cost;

    public PerformanceCounters(string name) => Name = name;

    public string Name { get; }

    /// <summary>Gets the number of calls recorded (successes, failures and cancellations).</summary>
    public long Requests => Sum(static (ref Cell c) => ref c.Requests);

    /// <summary>Gets the number of successful calls.</summary>
    public long Successes => Sum(static (ref Cell c) => ref c.Successes);

    /// <summary>Gets the output tokens of successful calls.</summary>
    public long OutputTokens => Sum(static (ref Cell c) => ref c.OutputTokens);

    public void RecordSuccess(TimeSpan latency, TimeSpan? timeToFirstChunk, long? outputTokens)
    {
        // One processor lookup for all the stripes this call writes.
        int stripe = ProcessorStripes.Current;
        ref var cell = ref _cells[stripe];
        Interlocked.Increment(ref cell.Requests);
        Interlocked.Increment(ref cell.Successes);
        _latencyMs.Add(latency.TotalMilliseconds, stripe);
        if (timeToFirstChunk is { } first)
        {
            _firstChunkMs.Add(first.TotalMilliseconds, stripe);
        }

        if (outputTokens is > 0 and { } tokens)
        {
            Interlocked.Add(ref cell.OutputTokens, tokens);
            double seconds = (latency - (timeToFirstChunk ?? TimeSpan.Zero)).TotalSeconds;
            if (seconds > 0)
            {
                _tokensPerSecond.Add(tokens / seconds, stripe);
            }
        }
    }

    public void RecordFailure(LlmFailureKind kind)
    {
        Interlocked.Increment(ref _cells[ProcessorStripes.Current].Requests);
        Interlocked.Increment(ref _failures[(int)kind < _failures.Length ? (int)kind : 0]);
    }

    public void RecordCancelled() => Interlocked.Increment(ref _cells[ProcessorStripes.Current].Requests);

    public void RecordCost(CallCost cost)
    {
        if (cost.Total is { } total)
        {
            lock (_costLock)
            {
                _cost += total;
            }
        }
        else
        {
            Interlocked.Increment(ref _unknownCostCalls);
        }
    }

    public ModelPerformanceSnapshot Snapshot(int inFlight, TimeSpan? averageLatency, string? circuitState, DateTimeOffset? coolingDownUntil, string? cooldownReason)
    {
        var failures = new Dictionary<LlmFailureKind, long>();
        long failed = 0;
        for (int i = 0; i < _failures.Length; i++)
        {
            long n = Volatile.Read(ref _failures[i]);
            if (n > 0)
            {
                failures[(LlmFailureKind)i] = n;
                failed += n;
            }
        }

        long requests = Requests;
        var latency = _latencyMs.Percentiles(0.50, 0.95, 0.99);
        var first = _firstChunkMs.Percentiles(0.50, 0.95);
        var rate = _tokensPerSecond.Percentiles(0.50);
        decimal cost;
        lock (_costLock)
        {
            cost = _cost;
        }

        return new ModelPerformanceSnapshot
        {
            Name = Name,
            Requests = requests,
            Successes = Successes,
            Failures = failures,
            ErrorRate = requests == 0 ? 0 : (double)failed / requests,
            LatencyP50 = latency is null ? null : TimeSpan.FromMilliseconds(latency[0]),
            LatencyP95 = latency is null ? null : TimeSpan.FromMilliseconds(latency[1]),
            LatencyP99 = latency is null ? null : TimeSpan.FromMilliseconds(latency[2]),
            TimeToFirstTokenP50 = first is null ? null : TimeSpan.FromMilliseconds(first[0]),
            TimeToFirstTokenP95 = first is null ? null : TimeSpan.FromMilliseconds(first[1]),
            OutputTokensPerSecond = rate?[0],
            OutputTokens = OutputTokens,
            CostUsd = cost,
            UnknownCostCalls = Volatile.Read(ref _unknownCostCalls),
            InFlight = inFlight,
            AverageLatency = averageLatency,
            CircuitState = circuitState,
            CoolingDownUntil = coolingDownUntil,
            CooldownReason = cooldownReason,
        };
    }

    private long Sum(CellField field)
    {
        long sum = 0;
        for (int i = 0; i < _cells.Length; i++)
        {
            sum += Volatile.Read(ref field(ref _cells[i]));
        }

        return sum;
    }

    private delegate ref long CellField(ref Cell cell);

    /// <summary>One stripe's counters, alone on their cache lines.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Cell
    {
        [FieldOffset(64)]
        public long Requests;

        [FieldOffset(72)]
        public long Successes;

        [FieldOffset(80)]
        public long OutputTokens;
    }
}
