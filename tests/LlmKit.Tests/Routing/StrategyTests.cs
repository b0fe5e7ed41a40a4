using Microsoft.Extensions.AI;
using static LlmKit.Tests.Routing.RoutingHarness;

namespace LlmKit.Tests.Routing;

public class StrategyTests
{
    private static void AnswerAlways(RoutingHarness h)
    {
        h.A.FallbackResponder = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "a"));
        h.B.FallbackResponder = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "b"));
        h.C.FallbackResponder = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "c"));
    }

    [Fact]
    public async Task Priority_AlwaysPicksTheLowestPriorityValue()
    {
        using var h = new RoutingHarness(o => o.Models["m"] = Model(RoutingStrategy.Priority, Deployment("a", "m-small", 5), Deployment("b", "m-small", 1), Deployment("c", "m-small", 3)));
        AnswerAlways(h);

        for (int i = 0; i < 20; i++)
        {
            Assert.Equal("b", (await h.AskAsync("m")).Text);
        }
    }

    [Fact]
    public async Task WeightedRandom_SharesTrafficByWeight()
    {
        using var h = new RoutingHarness(o => o.Models["m"] = Model(RoutingStrategy.WeightedRandom, Deployment("a", "m-small", weight: 1), Deployment("b", "m-small", weight: 3)));
        AnswerAlways(h);

        for (int i = 0; i < 800; i++)
        {
            await h.AskAsync("m");
        }

        // Expected 200 and 600; the bounds are more than six standard deviations (12.2) wide.
        Assert.InRange(h.A.CallCount, 120, 280);
        Assert.Equal(800, h.A.CallCount + h.B.CallCount);
    }

    [Fact]
    public async Task LeastBusy_SendsTheNextCallToTheDeploymentWithFewerCallsInFlight()
    {
        using var h = new RoutingHarness(o => o.Models["m"] = Model(RoutingStrategy.LeastBusy, Deployment("a", "m-small", 0), Deployment("b", "m-small", 1)));
        h.A.ReturnsText("slow a").WithLatency(TimeSpan.FromSeconds(10));
        h.B.ReturnsText("b");

        var slow = h.Client.GetResponseAsync("one", new ChatOptions { ModelId = "m" });
        var second = await h.Client.GetResponseAsync("two", new ChatOptions { ModelId = "m" });
        Assert.Equal(1, h.Deployment("a/m-small").InFlight);
        h.Time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal("b", second.Text);
        Assert.Equal("slow a", (await slow).Text);
        Assert.Equal(0, h.Deployment("a/m-small").InFlight);
    }

    [Fact]
    public async Task LowestLatency_MeasuresEachDeploymentThenPrefersTheFastest()
    {
        using var h = new RoutingHarness(o => o.Models["m"] = Model(RoutingStrategy.LowestLatency, Deployment("a", "m-small", 0), Deployment("b", "m-small", 1)));
        h.A.DefaultLatency = TimeSpan.FromSeconds(4);
        h.B.DefaultLatency = TimeSpan.FromSeconds(1);
        AnswerAlways(h);

        // The first two calls measure a then b (unmeasured deployments first); then b, 4x faster, takes everything.
        Assert.Equal("a", (await h.AskAsync("m")).Text);
        Assert.Equal("b", (await h.AskAsync("m")).Text);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal("b", (await h.AskAsync("m")).Text);
        }

        Assert.Equal(TimeSpan.FromSeconds(1), h.Deployment("b/m-small").AverageLatency);
    }

    [Fact]
    public async Task LowestLatency_SharesTrafficWithinTheTolerance()
    {
        using var h = new RoutingHarness(o =>
        {
            var model = Model(RoutingStrategy.LowestLatency, Deployment("a", "m-small", 0), Deployment("b", "m-small", 1));
            model.LatencyTolerance = 0.5;
            o.Models["m"] = model;
        });
        h.A.DefaultLatency = TimeSpan.FromMilliseconds(1200);
        h.B.DefaultLatency = TimeSpan.FromMilliseconds(1000);
        AnswerAlways(h);

        for (int i = 0; i < 200; i++)
        {
            // The scripted latency starts its timer synchronously: yielding between steps is enough (a real 1 ms pause
            // per step made this test take 12 s and more).
            await FakeTime.DriveAsync(h.Time, h.Client.GetResponseAsync("x", new ChatOptions { ModelId = "m" }), TimeSpan.FromMilliseconds(100), yieldOnly: true);
        }

        // 1.2 s is within 50 % of 1.0 s: both share the traffic (about half each).
        Assert.InRange(h.A.CallCount, 50, 150);
    }

    [Fact]
    public async Task LowestCost_PicksTheCheapestModel_AndFallsBackToTheNextCheapest()
    {
        using var h = new RoutingHarness(o => o.Models["m"] = Model(RoutingStrategy.LowestCost, Deployment("a", "m-big", 0), Deployment("b", "m-small", 1), Deployment("c", "m-tiny", 2)));
        h.C.FailsWithServerError().ReturnsText("tiny");
        h.B.ReturnsText("small");

        // m-tiny costs 1.5 per million in+out, m-small 3, m-big 40.
        Assert.Equal("small", (await h.AskAsync("m")).Text);
        Assert.Equal(0, h.A.CallCount);
        Assert.Equal(1, h.C.CallCount);
    }

    [Fact]
    public async Task ClientSideConcurrencyLimit_SendsTheExtraCallElsewhere()
    {
        using var h = new RoutingHarness(o =>
        {
            var model = Model(RoutingStrategy.Priority, Deployment("a", "m-small", 0), Deployment("b", "m-small", 1));
            model.Deployments[0].MaxConcurrency = 1;
            o.Models["m"] = model;
        });
        h.A.ReturnsText("a").WithLatency(TimeSpan.FromSeconds(5)).ReturnsText("a again");
        h.B.ReturnsText("b");

        var first = h.Client.GetResponseAsync("1", new ChatOptions { ModelId = "m" });
        var second = await h.Client.GetResponseAsync("2", new ChatOptions { ModelId = "m" });
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await first;
        var third = await h.AskAsync("m");

        Assert.Equal("b", second.Text);
        Assert.Equal("a again", third.Text);

        // Our own limit is not the deployment's failure: no cooldown, no failure counted.
        Assert.Null(h.Deployment("a/m-small").CoolingDownUntil);
        Assert.Empty(h.Deployment("a/m-small").Failures);
    }

    [Fact]
    public async Task RequestsPerMinute_LimitsTheDeployment_AndRefillsWithTheClock()
    {
        using var h = new RoutingHarness(o =>
        {
            var model = Model(RoutingStrategy.Priority, Deployment("a", "m-small"));
            model.Deployments[0].RequestsPerMinute = 2;
            o.Models["m"] = model;
        });
        AnswerAlways(h);

        await h.AskAsync("m");
        await h.AskAsync("m");
        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => h.Client.GetResponseAsync("3", new ChatOptions { ModelId = "m" }));
        Assert.Contains("2 requests per minute", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(ex.RetryAfter);
        h.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal("a", (await h.Client.GetResponseAsync("4", new ChatOptions { ModelId = "m" })).Text);
        Assert.Equal(3, h.A.CallCount);
    }

    [Fact]
    public async Task TokensPerMinute_RejectsACallThatWouldExceedIt()
    {
        using var h = new RoutingHarness(o =>
        {
            var model = Model(RoutingStrategy.Priority, Deployment("a", "m-small", 0), Deployment("b", "m-small", 1));
            model.Deployments[0].TokensPerMinute = 1_000;
            o.Models["m"] = model;
        });
        AnswerAlways(h);

        // About 800 tokens of prompt plus 100 reserved for output each: the second call does not fit a's minute.
        string prompt = new('x', 3_200);
        var first = await h.Client.GetResponseAsync(prompt, new ChatOptions { ModelId = "m", MaxOutputTokens = 100 });
        var second = await h.Client.GetResponseAsync(prompt, new ChatOptions { ModelId = "m", MaxOutputTokens = 100 });

        Assert.Equal(("a", "b"), (first.Text, second.Text));
    }
}
