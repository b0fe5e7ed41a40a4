namespace LlmKit;

/// <summary>The most recent samples (a ring of fixed size) for percentiles; writers never block each other.</summary>
internal sealed class SampleReservoir
{
    private readonly double[] _samples;
    private long _written;

    public SampleReservoir(int capacity = 1024) => _samples = new double[capacity];

    public void Add(double value)
    {
        long index = Interlocked.Increment(ref _written) - 1;
        Volatile.Write(ref _samples[index % _samples.Length], value);
    }

    /// <summary>Returns the requested percentiles (0 to 1) of the samples held, or <see langword="null"/> without samples.</summary>
    public double[]? Percentiles(params ReadOnlySpan<double> quantiles)
    {
        long written = Volatile.Read(ref _written);
        int count = (int)Math.Min(written, _samples.Length);
        if (count == 0)
        {
            return null;
        }

        var copy = new double[count];
        Array.Copy(_samples, copy, count);
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
}
