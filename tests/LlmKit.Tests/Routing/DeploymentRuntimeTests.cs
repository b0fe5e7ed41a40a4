using System.Net;
using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Routing;

/// <summary>The resilience pipeline of one deployment, through the router (retries on, one deployment, fake clock).</summary>
public class DeploymentRuntimeTests
{
    private static RoutingHarness OneDeployment(Action<DeploymentResilienceOptions> resilience) => new(o =>
    {
        var model = RoutingHarness.Model(RoutingStrategy.Priority, RoutingHarness.Deployment("a", "m-small"));
        model.Deployments[0].Resilience = new DeploymentResilienceOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(100), RetryMaxDelay = TimeSpan.FromSeconds(1) };
        resilience(model.Deployments[0].Resilience!);
        model.Deployments[0].Cooldown = new DeploymentCooldownOptions { Enabled = false };
        o.Models["smart"] = model;
    });

    [Fact]
    public async Task ExecuteAsync_AttemptOutlastsTheAttemptTimeout_IsRetriedAndTheRetryAnswers()
    {
        using var h = OneDeployment(r =>
        {
            r.AttemptTimeout = TimeSpan.FromSeconds(5);
            r.MaxRetries = 1;
        });
        h.A.ReturnsText("too late").WithLatency(TimeSpan.FromSeconds(60)).ReturnsText("second attempt");

        var response = await h.AskAsync("smart");

        Assert.Equal("second attempt", response.Text);
        Assert.Equal(2, h.A.CallCount);
        Assert.Equal(1, h.Deployment("a/m-small").Successes);
    }

    [Fact]
    public async Task ExecuteAsync_EveryAttemptTimesOut_ThrowsATimeoutNamingTheAttemptTimeout()
    {
        using var h = OneDeployment(r =>
        {
            r.AttemptTimeout = TimeSpan.FromSeconds(5);
            r.MaxRetries = 2;
        });
        h.A.ReturnsText("late").WithLatency(TimeSpan.FromSeconds(60))
            .ReturnsText("late").WithLatency(TimeSpan.FromSeconds(60))
            .ReturnsText("late").WithLatency(TimeSpan.FromSeconds(60));

        var ex = await Assert.ThrowsAsync<ProviderException>(() => h.AskAsync("smart"));

        Assert.Equal(LlmFailureKind.Timeout, ex.FailureKind);
        Assert.Contains("within 5 s", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, h.A.CallCount);
        Assert.Equal(1, (await h.Ledger.GetTotalsAsync(new UsageQuery())).Calls); // three attempts, one metered call
    }

    [Fact]
    public async Task ExecuteAsync_TotalTimeoutShorterThanTheAttempt_EndsTheCallWithoutRetrying()
    {
        using var h = OneDeployment(r =>
        {
            r.TotalTimeout = TimeSpan.FromSeconds(8);
            r.AttemptTimeout = TimeSpan.FromSeconds(30);
            r.MaxRetries = 2;
        });
        h.A.ReturnsText("late").WithLatency(TimeSpan.FromSeconds(60)).ReturnsText("never");

        var ex = await Assert.ThrowsAsync<ProviderException>(() => h.AskAsync("smart"));

        Assert.Equal(LlmFailureKind.Timeout, ex.FailureKind);
        Assert.Contains("within 8 s", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, h.A.CallCount);

        // A cancellation by the total timeout is not a failure of the service: the circuit breaker does not count it.
        Assert.Equal("Closed", h.Deployment("a/m-small").CircuitState);
    }

    [Fact]
    public async Task ExecuteAsync_ServerErrorThenSuccess_RetriesAfterABackoffWithinTheMaximumDelay()
    {
        using var h = OneDeployment(r => r.MaxRetries = 2);
        h.A.FailsWithServerError(HttpStatusCode.BadGateway).ReturnsText("recovered");
        var start = h.Time.GetUtcNow();

        var response = await FakeTime.DriveAsync(h.Time, h.Client.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" }), TimeSpan.FromMilliseconds(50));

        Assert.Equal("recovered", response.Text);
        Assert.Equal(2, h.A.CallCount);
        Assert.InRange(h.Time.GetUtcNow() - start, TimeSpan.Zero, TimeSpan.FromSeconds(1.1));
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancelsDuringTheAttempt_ThrowsTheCancellationAndDoesNotRetry()
    {
        using var h = OneDeployment(r => r.MaxRetries = 2);
        h.A.ReturnsText("late").WithLatency(TimeSpan.FromSeconds(60)).ReturnsText("never");
        using var cts = new CancellationTokenSource();

        var call = h.Client.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" }, cts.Token);
        await Task.Delay(1);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(1, h.A.CallCount);
    }

    [Fact]
    public async Task ExecuteAsync_OpenCircuit_IsNotRetriedAndReportsAnOverload()
    {
        using var h = OneDeployment(r =>
        {
            r.MaxRetries = 2;
            r.CircuitBreakerMinimumThroughput = 2;
            r.CircuitBreakerFailureRatio = 1;
        });
        h.A.FailsWithServerError().FailsWithServerError().ReturnsText("never");

        var ex = await Assert.ThrowsAsync<ProviderException>(() => h.AskAsync("smart"));

        // The first retry's failure opened the circuit; the second retry found it open and gave up without calling the provider.
        Assert.Equal(2, h.A.CallCount);
        Assert.Equal("Open", h.Deployment("a/m-small").CircuitState);
        Assert.Equal(LlmFailureKind.Overloaded, ex.FailureKind);
    }
}
