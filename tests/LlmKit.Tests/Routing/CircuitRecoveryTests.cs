using System.Net;
using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Polly.CircuitBreaker;
using static LlmKit.Tests.Routing.RoutingHarness;

namespace LlmKit.Tests.Routing;

/// <summary>
/// The breaker of a deployment whose provider is a plain <see cref="IChatClient"/> (Polly.Core) as the router sees it: an
/// open circuit is skipped during its break, lets one probe through after it, closes on the probe's success and opens
/// again on its failure; a model whose every deployment is open fails with <see cref="LlmFailureKind.Unavailable"/>.
/// </summary>
public class CircuitRecoveryTests
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(30);

    private static RoutingHarness OneDeployment(int deployments = 1) => new(o =>
    {
        o.Resilience.CircuitBreakerMinimumThroughput = 5;
        o.Resilience.CircuitBreakerFailureRatio = 0.5;
        o.Resilience.CircuitBreakerBreakDuration = Break;
        o.Cooldown.Enabled = false;
        o.Models["smart"] = deployments == 1
            ? Model(RoutingStrategy.Priority, Deployment("a", "m-small"))
            : Model(RoutingStrategy.Priority, Deployment("a", "m-small", priority: 0), Deployment("b", "m-small", priority: 1));
    });

    private static async Task OpenTheCircuitAsync(RoutingHarness h)
    {
        for (int i = 0; i < 5; i++)
        {
            h.A.FailsWithServerError();
        }

        for (int i = 0; i < 5; i++)
        {
            var ex = await Assert.ThrowsAsync<ProviderException>(() => h.AskAsync("smart"));
            Assert.Equal(LlmFailureKind.ServerError, ex.FailureKind);
        }

        Assert.Equal(5, h.A.CallCount);
    }

    [Fact]
    public async Task OpenCircuit_AfterItsBreak_LetsAProbeThroughWhoseSuccessClosesIt()
    {
        using var h = OneDeployment();
        await OpenTheCircuitAsync(h);

        // During the break: not sent, and the caller learns when it will be tried again.
        var during = await Assert.ThrowsAsync<ModelUnavailableException>(() => h.Client.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" }));
        Assert.Equal(LlmFailureKind.Unavailable, during.FailureKind);
        Assert.Equal(h.Time.GetUtcNow() + Break, during.RetryAt);
        Assert.Contains("circuit breaker is open", during.Rejections["a/m-small"], StringComparison.Ordinal);
        Assert.Equal(5, h.A.CallCount);

        // The server has recovered; once the break is over the next call is the probe, and it closes the circuit.
        h.Time.Advance(Break);
        for (int i = 0; i < 3; i++)
        {
            h.A.ReturnsText("ok " + i);
        }

        Assert.Equal("ok 0", (await h.AskAsync("smart")).Text);
        Assert.Equal(CircuitState.Closed.ToString(), h.Deployment("a/m-small").CircuitState);
        Assert.Equal("ok 1", (await h.AskAsync("smart")).Text);
        Assert.Equal("ok 2", (await h.AskAsync("smart")).Text);
        Assert.Equal(8, h.A.CallCount);
    }

    [Fact]
    public async Task OpenCircuit_ProbeFails_OpensAgainForAnotherBreak()
    {
        using var h = OneDeployment();
        await OpenTheCircuitAsync(h);
        h.Time.Advance(Break);
        h.A.FailsWithServerError();

        await Assert.ThrowsAsync<ProviderException>(() => h.AskAsync("smart"));

        Assert.Equal(6, h.A.CallCount);
        var again = await Assert.ThrowsAsync<ModelUnavailableException>(() => h.Client.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" }));
        Assert.Equal(h.Time.GetUtcNow() + Break, again.RetryAt);
        Assert.Equal(6, h.A.CallCount);
    }

    [Fact]
    public async Task OpenCircuit_WithASecondDeployment_FallsBackWithoutCallingTheOpenOne()
    {
        using var h = OneDeployment(deployments: 2);
        for (int i = 0; i < 5; i++)
        {
            h.B.ReturnsText("b " + i);
        }

        await OpenTheCircuitFallingBackAsync(h);
        h.B.ReturnsText("from b");

        var response = await h.AskAsync("smart");

        Assert.Equal("from b", response.Text);
        Assert.Equal(5, h.A.CallCount);
    }

    [Fact]
    public async Task StreamingCall_AfterTheBreak_IsTheProbeAndClosesTheCircuit()
    {
        using var h = OneDeployment();
        await OpenTheCircuitAsync(h);
        h.Time.Advance(Break);
        h.A.StreamsChunks(["he", "llo"]);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in h.Client.GetStreamingResponseAsync("hi", new ChatOptions { ModelId = "smart" }))
        {
            updates.Add(update);
        }

        Assert.Equal("hello", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(CircuitState.Closed.ToString(), h.Deployment("a/m-small").CircuitState);
    }

    private static async Task OpenTheCircuitFallingBackAsync(RoutingHarness h)
    {
        for (int i = 0; i < 5; i++)
        {
            h.A.FailsWithServerError(HttpStatusCode.BadGateway);
        }

        for (int i = 0; i < 5; i++)
        {
            Assert.StartsWith("b ", (await h.AskAsync("smart")).Text, StringComparison.Ordinal);
        }
    }
}
