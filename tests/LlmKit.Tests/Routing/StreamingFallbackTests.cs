using LlmKit.Testing;
using Microsoft.Extensions.AI;
using static LlmKit.Tests.Routing.RoutingHarness;

namespace LlmKit.Tests.Routing;

public class StreamingFallbackTests
{
    private static RoutingHarness TwoDeployments(Action<DeploymentResilienceOptions>? resilience = null) => new(o =>
    {
        o.Models["smart"] = Model(RoutingStrategy.Priority, Deployment("a", "m-small", 0), Deployment("b", "m-small", 1));
        resilience?.Invoke(o.Resilience);
    });

    private static async Task<(string Text, List<ChatResponseUpdate> Updates)> ReadAsync(RoutingHarness h, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        var reading = Task.Run(async () =>
        {
            await foreach (var update in h.Client.GetStreamingResponseAsync("hello", new ChatOptions { ModelId = "smart" }, cancellationToken))
            {
                updates.Add(update);
            }

            return true;
        });
        await FakeTime.DriveAsync(h.Time, reading, TimeSpan.FromMilliseconds(500));
        return (string.Concat(updates.Select(u => u.Text)), updates);
    }

    [Fact]
    public async Task FailureBeforeTheFirstChunk_FallsBack()
    {
        using var h = TwoDeployments();
        h.A.FailsWithOverload();
        h.B.StreamsChunks(["from ", "b"]);

        var (text, updates) = await ReadAsync(h);

        Assert.Equal("from b", text);
        Assert.True(LlmKitResponseProperties.TryGetRoute(updates[0].AdditionalProperties, out var route));
        Assert.Equal("b/m-small", route!.Deployment.Name);
    }

    [Fact]
    public async Task FailureAfterTheFirstChunk_IsThrown_WithoutFallback()
    {
        using var h = TwoDeployments();
        h.A.StreamsThenFails(["partial "], new ProviderException("connection cut", "a", null, LlmFailureKind.Network));
        h.B.StreamsChunks(["never"]);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => ReadAsync(h));

        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
        Assert.Equal(0, h.B.CallCount);
        Assert.Equal(1, h.Deployment("a/m-small").Failures[LlmFailureKind.Network]);
    }

    [Fact]
    public async Task FirstChunkTimeout_FallsBackToTheNextDeployment()
    {
        using var h = TwoDeployments(r => r.FirstChunkTimeout = TimeSpan.FromSeconds(5));
        h.A.StreamsChunks(["too ", "slow"]).WithLatency(TimeSpan.FromSeconds(30));
        h.B.StreamsChunks(["in ", "time"]);

        var (text, _) = await ReadAsync(h);

        Assert.Equal("in time", text);
        Assert.Equal(1, h.Deployment("a/m-small").Failures[LlmFailureKind.Timeout]);
    }

    [Fact]
    public async Task IdleTimeoutBetweenChunks_EndsTheStreamWithATimeout()
    {
        using var h = TwoDeployments(r => r.ChunkIdleTimeout = TimeSpan.FromSeconds(3));
        h.A.StreamsChunks(["one ", "two "], delayPerChunk: TimeSpan.FromSeconds(10));
        h.B.StreamsChunks(["never"]);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => ReadAsync(h));

        Assert.Equal(LlmFailureKind.Timeout, ex.FailureKind);
        Assert.Contains("no chunk arrived for 3 s", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.B.CallCount);
    }

    [Fact]
    public async Task CompletedStream_RecordsTimeToFirstTokenAndOutputRate()
    {
        using var h = TwoDeployments();
        h.A.StreamsChunks(["a", "b", "c", "d"], delayPerChunk: TimeSpan.FromSeconds(1), usage: new UsageDetails { InputTokenCount = 10, OutputTokenCount = 300 });

        await ReadAsync(h);

        var snapshot = h.Deployment("a/m-small");
        Assert.Equal(1, snapshot.Successes);
        Assert.NotNull(snapshot.TimeToFirstTokenP50);
        Assert.True(snapshot.TimeToFirstTokenP50 < snapshot.LatencyP50);
        Assert.Equal(300, snapshot.OutputTokens);
        Assert.NotNull(snapshot.OutputTokensPerSecond);
    }
}
