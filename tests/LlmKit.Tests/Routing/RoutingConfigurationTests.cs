using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static LlmKit.Tests.Routing.RoutingHarness;

namespace LlmKit.Tests.Routing;

public class RoutingConfigurationTests
{
    private static LlmKitConfigurationException StartWith(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit => kit.AddProvider("a", _ => new LlmKit.Testing.ScriptedChatClient()).AddProvider("b", _ => new LlmKit.Testing.ScriptedChatClient()));
        using var sp = services.BuildServiceProvider();
        return Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IChatClient>());
    }

    [Fact]
    public void InvalidStrategySettings_FailAtStartUp_NamingEveryBadKey()
    {
        var ex = StartWith(new()
        {
            ["LlmKit:Models:smart:Strategy"] = "LowestLatency",
            ["LlmKit:Models:smart:LatencyTolerance"] = "-1",
            ["LlmKit:Models:smart:Fallbacks:0"] = "ghost",
            ["LlmKit:Models:smart:Deployments:0:Provider"] = "a",
            ["LlmKit:Models:smart:Deployments:0:Model"] = "m",
            ["LlmKit:Models:smart:Deployments:0:MaxConcurrency"] = "0",
            ["LlmKit:Models:smart:Deployments:0:Resilience:MaxRetries"] = "-2",
            ["LlmKit:Cooldown:FailureRatio"] = "1.5",
        });

        Assert.Contains("LlmKit:Models:smart:LatencyTolerance", ex.Keys);
        Assert.Contains("LlmKit:Models:smart:Fallbacks:0", ex.Keys);
        Assert.Contains("LlmKit:Models:smart:Deployments:0:MaxConcurrency", ex.Keys);
        Assert.Contains("LlmKit:Models:smart:Deployments:0:Resilience:MaxRetries", ex.Keys);
        Assert.Contains("LlmKit:Cooldown:FailureRatio", ex.Keys);
        Assert.Contains("'ghost' is not a logical model", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownStrategyName_FailsAtStartUp()
    {
        var ex = StartWith(new()
        {
            ["LlmKit:Models:smart:Strategy"] = "Fastest",
            ["LlmKit:Models:smart:Deployments:0:Provider"] = "a",
            ["LlmKit:Models:smart:Deployments:0:Model"] = "m",
        });

        Assert.Equal(["LlmKit:Models:smart:Strategy"], ex.Keys);
        Assert.Contains("one of: Priority, WeightedRandom, LeastBusy, LowestLatency, LowestCost", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Statistics_CountSuccessesFailuresLatencyAndCost_PerDeploymentAndModel()
    {
        using var h = new RoutingHarness(o => o.Models["smart"] = Model(RoutingStrategy.Priority, Deployment("a", "m-small", 0), Deployment("b", "m-small", 1)));
        h.A.ReturnsText("ok", new UsageDetails { InputTokenCount = 1_000_000, OutputTokenCount = 500_000 }).WithLatency(TimeSpan.FromSeconds(2))
            .FailsWithServerError();
        h.B.ReturnsText("b");

        await h.AskAsync("smart");
        await h.AskAsync("smart");

        var a = h.Deployment("a/m-small");
        Assert.Equal((2, 1), (a.Requests, a.Successes));
        Assert.Equal(1, a.Failures[LlmFailureKind.ServerError]);
        Assert.Equal(0.5, a.ErrorRate);
        Assert.Equal(TimeSpan.FromSeconds(2), a.LatencyP50);

        // m-small: 1 per million in, 2 per million out: 1 + 1 = 2 USD.
        Assert.Equal(2m, a.CostUsd);
        var model = h.Statistics.GetSnapshot().Models.Single(m => m.Name == "smart");
        Assert.Equal((2, 2, 0.0), (model.Requests, model.Successes, model.ErrorRate));
        Assert.Equal("Closed", a.CircuitState);
        Assert.Same(h.Statistics, h.Client.GetService<ModelPerformanceStatistics>());
    }

    [Fact]
    public async Task CircuitBreaker_OpensAfterRepeatedFailures_AndTheRouterSkipsTheDeployment()
    {
        using var h = new RoutingHarness(o =>
        {
            var model = Model(RoutingStrategy.Priority, Deployment("a", "m-small", 0), Deployment("b", "m-small", 1));
            model.Deployments[0].Resilience = new DeploymentResilienceOptions { MaxRetries = 0, CircuitBreakerMinimumThroughput = 2, CircuitBreakerFailureRatio = 0.5 };
            model.Deployments[0].Cooldown = new DeploymentCooldownOptions { Enabled = false };
            o.Models["smart"] = model;
        });
        h.A.FailsWithServerError().FailsWithServerError().ReturnsText("never");
        h.B.FallbackResponder = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "b"));

        await h.AskAsync("smart");
        await h.AskAsync("smart");
        await h.AskAsync("smart");

        Assert.Equal(2, h.A.CallCount);
        Assert.Equal("Open", h.Deployment("a/m-small").CircuitState);
    }

    [Fact]
    public async Task AnnotateRoutes_FromConfiguration_SetsTheRouteWithoutRouteReadingStages()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmKit:AnnotateRoutes"] = "true",
            ["LlmKit:Models:smart:Deployments:0:Provider"] = "a",
            ["LlmKit:Models:smart:Deployments:0:Model"] = "m-one",
        }).Build();
        var provider = new LlmKit.Testing.ScriptedChatClient();
        provider.ReturnsText("hi");
        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit =>
        {
            kit.AddProvider("a", _ => provider);
            kit.Pipeline.Remove(PipelineStageNames.Telemetry);
            kit.Pipeline.Remove(PipelineStageNames.Metering);
        });
        using var sp = services.BuildServiceProvider();

        var response = await sp.GetRequiredService<IChatClient>().GetResponseAsync("hello", new ChatOptions { ModelId = "smart" });

        Assert.Equal("a/m-one", Route(response).Deployment.Name);
    }
}
