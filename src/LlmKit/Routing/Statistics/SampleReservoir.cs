using System.Runtime.InteropServices;

namespace LlmKit;

/// <summary>
/// The most recent samples for percentiles: one ring per processor stripe (see <see cref="ProcessorStripes"/>), so writers on
/// different cores neither block nor contend with each other. Each ring holds <c>capacity / stripes</c> samples, at least 64,
/// so the reservoir holds about the last <c>capacity</c> samples when calls spread over the cores.
/// </summary>
internal sealed class SampleReservoir
{
    private const int MinimumPerStripe = 64;
    private readonly double[] _samples;
    private readonly WriteIndex[] _written;
    private readonly int _perStripe;

    public SampleReservoir(int capacity = 1024)
        : this(capacity, ProcessorStripes.Count)
    {
    }

    /// <summary>Creates a reservoir with an explicit number of stripes (a power of two).</summary>
    internal SampleReservoir(int capacity, int stripes)
    {
        Stripes = stripes;
        _perStripe = Math.Max(MinimumPerStripe, capacity / stripes);
        _samples = new double[_perStripe * stripes];
        _written = new WriteIndex[stripes];
    }

    /// <summary>Gets the number of stripes.</summary>
    public int Stripes { get; }

    /// <summary>Gets the number of samples each stripe keeps.</summary>
    public int PerStripe => _perStripe;

    public void Add(double value) => Add(value, ProcessorStripes.Current);

    /// <summary>Adds a sample to a stripe (taken modulo the reservoir's stripes).</summary>
    internal void Add(double value, int stripe)
    {
        stripe &= Stripes - 1;
        long index = Interlocked.Increment(ref _written[stripe].Value) - 1;
        Volatile.Write(ref _samples[(stripe * _perStripe) + (int)(index % _perStripe)], value);
    }

    /// <summary>Returns the requested percentiles (0 to 1) of the samples held, or <see langword="null"/> without samples.</summary>
    public double[]? Percentiles(params ReadOnlySpan<double> quantiles)
    {
        int count = 0;
        Span<int> held = stackalloc int[Stripes];
        for (int s = 0; s < Stripes; s++)
        {
            held[s] = (int)Math.Min(Volatile.Read(ref _written[s].Value), _perStripe);
            count += held[s];
        }

        if (count == 0)
        {
            return null;
        }

        var copy = new double[count];
        int at = 0;
        for (int s = 0; s < Stripes; s++)
        {
            Array.Copy(_samples, s * _perStripe, copy, at, held[s]);
            at += held[s];
        }

        Array.Sort(copy);
        var result = new double[quantiles.Length];
        for (int i = 0; i < quantiles.Length; i++)
        {
            // Nearest rank.
            int rank = (int)Math.Ceiling(quantiles[i] * count);
            result[i] = copy[Math.Clamp(rank - 1, 0, count - 1)];
        }

        return result;
    }

    /// <summary>A stripe's write count, alone on its cache lines.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct WriteIndex
    {
        [FieldOffset(64)]
        public long Value;
    }
}
