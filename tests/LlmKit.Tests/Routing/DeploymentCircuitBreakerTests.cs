using LlmKit.Testing;
using Polly.CircuitBreaker;

namespace LlmKit.Tests.Routing;

public class DeploymentCircuitBreakerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    private static (DeploymentCircuitBreaker Breaker, FakeTimeProvider Time) Create(double ratio = 0.5, int minimumThroughput = 4, double samplingSeconds = 10, double breakSeconds = 30)
    {
        var time = new FakeTimeProvider(T0);
        return (new DeploymentCircuitBreaker(ratio, minimumThroughput, TimeSpan.FromSeconds(samplingSeconds), TimeSpan.FromSeconds(breakSeconds), time), time);
    }

    private static void Call(DeploymentCircuitBreaker breaker, bool fails)
    {
        Assert.Null(breaker.TryEnter());
        breaker.Record(fails ? new HttpRequestException("down") : null);
    }

    [Fact]
    public void Record_FailuresBelowTheMinimumThroughput_KeepTheCircuitClosed()
    {
        var (breaker, _) = Create(minimumThroughput: 4);

        for (int i = 0; i < 3; i++)
        {
            Call(breaker, fails: true);
        }

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Null(breaker.TryEnter());
    }

    [Fact]
    public void Record_FailureRatioReachedAtTheMinimumThroughput_OpensTheCircuit()
    {
        var (breaker, _) = Create(ratio: 0.5, minimumThroughput: 4);

        Call(breaker, fails: false);
        Call(breaker, fails: false);
        Call(breaker, fails: true);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Call(breaker, fails: true); // 2 of 4 = 0.5

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Record_SuccessesKeepTheRatioBelowTheThreshold_CircuitStaysClosed()
    {
        var (breaker, _) = Create(ratio: 0.5, minimumThroughput: 4);

        Call(breaker, fails: false);
        Call(breaker, fails: false);
        Call(breaker, fails: false);
        Call(breaker, fails: true); // 1 of 4 = 0.25

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void TryEnter_WhileOpen_RejectsWithTheBreakingFailureAndTheTimeLeft()
    {
        var (breaker, time) = Create(minimumThroughput: 1, breakSeconds: 30);
        var failure = new HttpRequestException("down");
        Assert.Null(breaker.TryEnter());
        breaker.Record(failure);
        time.Advance(TimeSpan.FromSeconds(10));

        var rejected = breaker.TryEnter();

        Assert.NotNull(rejected);
        Assert.Same(failure, rejected.InnerException);
        Assert.Equal(TimeSpan.FromSeconds(20), rejected.RetryAfter);
    }

    [Fact]
    public void TryEnter_AfterTheBreak_LetsOneProbeThrough_AndItsSuccessClosesTheCircuit()
    {
        var (breaker, time) = Create(minimumThroughput: 1, breakSeconds: 30);
        Call(breaker, fails: true);
        time.Advance(TimeSpan.FromSeconds(30));

        Assert.Null(breaker.TryEnter());
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.NotNull(breaker.TryEnter()); // a second caller while the probe runs
        breaker.Record(null);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Null(breaker.TryEnter());
    }

    [Fact]
    public void Record_ProbeFails_OpensTheCircuitForAnotherBreak()
    {
        var (breaker, time) = Create(minimumThroughput: 1, breakSeconds: 30);
        Call(breaker, fails: true);
        time.Advance(TimeSpan.FromSeconds(30));
        Call(breaker, fails: true);

        Assert.Equal(CircuitState.Open, breaker.State);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.NotNull(breaker.TryEnter());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(breaker.TryEnter());
    }

    [Fact]
    public void Record_ClosingAfterAProbe_ForgetsTheEarlierFailures()
    {
        var (breaker, time) = Create(ratio: 0.5, minimumThroughput: 2, breakSeconds: 5);
        Call(breaker, fails: true);
        Call(breaker, fails: true);
        time.Advance(TimeSpan.FromSeconds(5));
        Call(breaker, fails: false); // the probe closes the circuit

        Call(breaker, fails: false);
        Call(breaker, fails: true); // 1 of 2 since closing: 0.5 opens; with the old failures counted it would be 3 of 5

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Record_FailuresOlderThanTheSamplingDuration_NoLongerCount()
    {
        var (breaker, time) = Create(ratio: 0.5, minimumThroughput: 2, samplingSeconds: 10);
        Call(breaker, fails: true);
        time.Advance(TimeSpan.FromSeconds(11));

        Call(breaker, fails: true);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Call(breaker, fails: true);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Record_ShortSamplingDuration_UsesOneWindowThatResets()
    {
        var time = new FakeTimeProvider(T0);
        var breaker = new DeploymentCircuitBreaker(0.5, 2, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), time);
        Call(breaker, fails: true);
        time.Advance(TimeSpan.FromMilliseconds(100));

        Call(breaker, fails: true);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Call(breaker, fails: true);

        Assert.Equal(CircuitState.Open, breaker.State);
    }
}
