using Microsoft.Extensions.AI;
using static LlmKit.Tests.Routing.RoutingHarness;

namespace LlmKit.Tests.Routing;

/// <summary>
/// A stream has an upper time limit, not only first-chunk and idle ones: a provider that drips a valid chunk every 300 ms
/// for ever is stopped at the stream's total deadline (its own setting, else the call's total timeout).
/// </summary>
public class StreamDeadlineTests
{
    private static RoutingHarness Harness(TimeSpan total, TimeSpan? streamTotal) => new(o =>
    {
        o.Resilience.TotalTimeout = total;
        o.Resilience.StreamTotalTimeout = streamTotal;
        o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(5);
        o.Models["smart"] = Model(RoutingStrategy.Priority, Deployment("a", "m-small"));
    });

    private static async Task<(List<string> Texts, Exception? Failure)> ReadAllAsync(RoutingHarness h)
    {
        var texts = new List<string>();
        try
        {
            await foreach (var update in h.Client.GetStreamingResponseAsync("hi", new ChatOptions { ModelId = "smart" }))
            {
                texts.Add(update.Text);
            }
        }
        catch (Exception ex)
        {
            return (texts, ex);
        }

        return (texts, null);
    }

    [Theory]
    [InlineData(6, null, 6)]
    [InlineData(60, 3, 3)]
    public async Task DripEvery300Ms_StopsAtTheTotalDeadline(int totalSeconds, int? streamTotalSeconds, int expectedSeconds)
    {
        using var h = Harness(TimeSpan.FromSeconds(totalSeconds), streamTotalSeconds is { } s ? TimeSpan.FromSeconds(s) : null);
        h.A.StreamsChunks(Enumerable.Range(0, 1000).Select(i => $"c{i} "), delayPerChunk: TimeSpan.FromMilliseconds(300));
        var started = h.Time.GetUtcNow();

        var (texts, failure) = await FakeTime.DriveAsync(h.Time, ReadAllAsync(h), TimeSpan.FromMilliseconds(100));

        var ex = Assert.IsType<ProviderException>(failure);
        Assert.Equal(LlmFailureKind.Timeout, ex.FailureKind);
        Assert.Contains("total time", ex.Message, StringComparison.Ordinal);
        Assert.Contains(texts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " updates", ex.Message, StringComparison.Ordinal);
        var elapsed = h.Time.GetUtcNow() - started;
        Assert.InRange(elapsed, TimeSpan.FromSeconds(expectedSeconds), TimeSpan.FromSeconds(expectedSeconds) + TimeSpan.FromMilliseconds(400));

        // Chunks came every 300 ms until the deadline: roughly expected/0.3 of them, and far from all 1000.
        Assert.InRange(texts.Count, (expectedSeconds * 10 / 3) - 2, (expectedSeconds * 10 / 3) + 1);
    }

    [Fact]
    public async Task StreamWithinItsDeadline_EndsNormally()
    {
        using var h = Harness(TimeSpan.FromSeconds(6), null);
        h.A.StreamsChunks(["a", "b", "c"], delayPerChunk: TimeSpan.FromMilliseconds(300));

        var (texts, failure) = await FakeTime.DriveAsync(h.Time, ReadAllAsync(h), TimeSpan.FromMilliseconds(100));

        Assert.Null(failure);
        Assert.Equal("abc", string.Concat(texts));
    }
}
