namespace LlmKit.Tests.Routing.Statistics;

public class PerformanceCountersTests
{
    [Fact]
    public async Task RecordSuccess_ManyThreadsAtOnce_CountsEveryCall()
    {
        var counters = new PerformanceCounters("a/m");
        const int Threads = 8;
        const int Calls = 25_000;
        var callers = Enumerable.Range(0, Threads).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < Calls; i++)
            {
                counters.RecordSuccess(TimeSpan.FromMilliseconds(10), null, 3);
            }
        }));

        await Task.WhenAll(callers);

        var snapshot = counters.Snapshot(0, null, null, null, null);
        Assert.Equal(200_000, snapshot.Requests);
        Assert.Equal(200_000, snapshot.Successes);
        Assert.Equal(600_000, snapshot.OutputTokens);
        Assert.Equal(TimeSpan.FromMilliseconds(10), snapshot.LatencyP99);
    }

    [Fact]
    public void Snapshot_SuccessesFailuresAndCancellations_AddsThemUp()
    {
        var counters = new PerformanceCounters("a/m");
        counters.RecordSuccess(TimeSpan.FromMilliseconds(100), null, 10);
        counters.RecordSuccess(TimeSpan.FromMilliseconds(300), null, 20);
        counters.RecordSuccess(TimeSpan.FromMilliseconds(200), null, null);
        counters.RecordFailure(LlmFailureKind.RateLimited);
        counters.RecordFailure(LlmFailureKind.ServerError);
        counters.RecordCancelled();

        var snapshot = counters.Snapshot(0, null, null, null, null);

        Assert.Equal(6, snapshot.Requests);
        Assert.Equal(3, snapshot.Successes);
        Assert.Equal(30, snapshot.OutputTokens);
        Assert.Equal(2d / 6, snapshot.ErrorRate, 10);
        Assert.Equal(1, snapshot.Failures[LlmFailureKind.RateLimited]);
        Assert.Equal(1, snapshot.Failures[LlmFailureKind.ServerError]);

        // Nearest rank over 100, 200, 300 ms: p50 is the 2nd, p95 and p99 the 3rd.
        Assert.Equal(TimeSpan.FromMilliseconds(200), snapshot.LatencyP50);
        Assert.Equal(TimeSpan.FromMilliseconds(300), snapshot.LatencyP95);
    }
}
