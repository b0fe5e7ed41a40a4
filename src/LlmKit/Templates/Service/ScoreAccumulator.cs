namespace LlmKit;

/// <summary>Running count, mean and variance of scores (Welford's method), safe for concurrent use.</summary>
internal sealed class ScoreAccumulator
{
    private readonly Lock _gate = new();
    private long _count;
    private double _mean;
    private double _m2;

    public void Add(double score)
    {
        lock (_gate)
        {
            _count++;
            double delta = score - _mean;
            _mean += delta / _count;
            _m2 += delta * (score - _mean);
        }
    }

    public (long Count, double Mean, double Variance) Snapshot()
    {
        lock (_gate)
        {
            return (_count, _mean, _count > 1 ? _m2 / (_count - 1) : 0d);
        }
    }
}
