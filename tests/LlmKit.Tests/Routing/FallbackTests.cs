using System.Net;
using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using static LlmKit.Tests.Routing.RoutingHarness;

namespace LlmKit.Tests.Routing;

public class FallbackTests
{
    private static RoutingHarness TwoDeployments(Action<LogicalModelOptions>? configure = null, int maxRetries = 0) => new(
        o =>
        {
            var model = Model(RoutingStrategy.Priority, Deployment("a", "m-small", priority: 0), Deployment("b", "m-small", priority: 1));
            configure?.Invoke(model);
            o.Models["smart"] = model;
        },
        maxRetries);

    [Theory]
    [InlineData("rate-limited")]
    [InlineData("overloaded")]
    [InlineData("server-error")]
    [InlineData("timeout")]
    public async Task TransientFailure_GoesToTheNextDeployment_AndIsMeteredOnce(string failure)
    {
        using var h = TwoDeployments();
        _ = failure switch
        {
            "rate-limited" => h.A.FailsWithRateLimit(TimeSpan.FromSeconds(30)),
            "overloaded" => h.A.FailsWithOverload(),
            "server-error" => h.A.FailsWithServerError(HttpStatusCode.BadGateway),
            _ => h.A.Throws(new ProviderException("scripted timeout", "a", HttpStatusCode.GatewayTimeout, LlmFailureKind.Timeout)),
        };
        h.B.ReturnsText("from b");

        var response = await h.AskAsync("smart");

        Assert.Equal("from b", response.Text);
        Assert.Equal("b/m-small", Route(response).Deployment.Name);
        Assert.Equal(1, h.A.CallCount);
        var totals = await h.Ledger.GetTotalsAsync(new UsageQuery());
        Assert.Equal(1, totals.Calls);
        Assert.Equal(0, totals.Failures);
        var top = await h.Ledger.GetTopAsync(new UsageQuery(), UsageGrouping.Deployment, 5);
        Assert.Equal("b/m-small", Assert.Single(top).Key);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, LlmFailureKind.Authentication)]
    [InlineData(HttpStatusCode.BadRequest, LlmFailureKind.BadRequest)]
    public async Task AuthenticationAndBadRequest_DoNotFallBack(HttpStatusCode status, LlmFailureKind kind)
    {
        using var h = TwoDeployments();
        h.A.Throws(new ProviderException("scripted", "a", status, kind));
        h.B.ReturnsText("never");

        var ex = await Assert.ThrowsAsync<ProviderException>(() => h.AskAsync("smart"));

        Assert.Equal(kind, ex.FailureKind);
        Assert.Equal(0, h.B.CallCount);
        Assert.Equal(1, h.B.RemainingSteps);
    }

    [Fact]
    public async Task Authentication_CoolsTheDeploymentDown()
    {
        using var h = TwoDeployments();
        h.A.Throws(new ProviderException("scripted", "a", HttpStatusCode.Unauthorized, LlmFailureKind.Authentication));
        h.B.ReturnsText("from b");

        await Assert.ThrowsAsync<ProviderException>(() => h.AskAsync("smart"));
        var response = await h.AskAsync("smart");

        // The second call skips a (cooling down for the configuration-error duration) without calling it.
        Assert.Equal("from b", response.Text);
        Assert.Equal(1, h.A.CallCount);
        var snapshot = h.Deployment("a/m-small");
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromMinutes(5), snapshot.CoolingDownUntil);
        Assert.Contains("authentication", snapshot.CooldownReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimitWithRetryAfter_CoolsDownForThatLong_ThenTheDeploymentReturns()
    {
        using var h = TwoDeployments();
        h.A.FailsWithRateLimit(TimeSpan.FromSeconds(90)).ReturnsText("a again");
        h.B.ReturnsText("b1").ReturnsText("b2");

        Assert.Equal("b1", (await h.AskAsync("smart")).Text);
        h.Time.Advance(TimeSpan.FromSeconds(89));
        Assert.Equal("b2", (await h.AskAsync("smart")).Text);
        h.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("a again", (await h.AskAsync("smart")).Text);
        Assert.Equal(2, h.A.CallCount);
    }

    [Fact]
    public async Task FailureRatio_CoolsDownAfterMinimumCalls()
    {
        using var h = new RoutingHarness(o =>
        {
            o.Models["smart"] = Model(RoutingStrategy.Priority, Deployment("a", "m-small", 0), Deployment("b", "m-small", 1));
            o.Cooldown.MinimumCalls = 3;
            o.Cooldown.FailureRatio = 0.5;
            o.Cooldown.Duration = TimeSpan.FromSeconds(60);
        });
        h.A.ReturnsText("a1").FailsWithServerError().FailsWithServerError().ReturnsText("a after cooldown");
        h.B.FallbackResponder = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "b"));

        Assert.Equal("a1", (await h.AskAsync("smart")).Text);
        Assert.Equal("b", (await h.AskAsync("smart")).Text); // a: 1 of 2 failed, below the minimum of 3 calls
        Assert.Equal("b", (await h.AskAsync("smart")).Text); // a: 2 of 3 failed: cools down
        Assert.Equal("b", (await h.AskAsync("smart")).Text); // skipped without a call
        Assert.Equal(3, h.A.CallCount);
        h.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("a after cooldown", (await h.AskAsync("smart")).Text);
    }

    [Fact]
    public async Task CooldownDisabled_KeepsCallingTheFailingDeploymentFirst()
    {
        using var h = new RoutingHarness(o =>
        {
            var model = Model(RoutingStrategy.Priority, Deployment("a", "m-small", 0), Deployment("b", "m-small", 1));
            model.Deployments[0].Cooldown = new DeploymentCooldownOptions { Enabled = false };
            o.Models["smart"] = model;
        });
        h.A.FailsWithRateLimit(TimeSpan.FromSeconds(90)).FailsWithRateLimit(TimeSpan.FromSeconds(90));
        h.B.ReturnsText("b1").ReturnsText("b2");

        await h.AskAsync("smart");
        await h.AskAsync("smart");

        Assert.Equal(2, h.A.CallCount);
    }

    [Fact]
    public async Task ContextTooLong_SkipsSmallerWindows_AndGoesToALargerOne()
    {
        using var h = new RoutingHarness(o => o.Models["smart"] = Model(
            RoutingStrategy.Priority,
            Deployment("a", "m-small", 0),
            Deployment("c", "m-tiny", 1),
            Deployment("b", "m-big", 2)));
        h.A.FailsWithContextWindowExceeded();
        h.C.ReturnsText("never");
        h.B.ReturnsText("big enough");

        var response = await h.AskAsync("smart");

        Assert.Equal("big enough", response.Text);
        Assert.Equal(0, h.C.CallCount);
    }

    [Fact]
    public async Task ContextTooLong_UsesContextWindowFallbacks_AfterTheModelsOwnDeployments()
    {
        using var h = new RoutingHarness(o =>
        {
            var smart = Model(RoutingStrategy.Priority, Deployment("a", "m-small", 0), Deployment("c", "m-tiny", 1));
            smart.ContextWindowFallbacks.Add("long");
            o.Models["smart"] = smart;
            o.Models["long"] = Model(RoutingStrategy.Priority, Deployment("b", "m-big"));
        });
        h.A.FailsWithContextWindowExceeded();
        h.B.ReturnsText("long context");

        var response = await h.AskAsync("smart");

        Assert.Equal("long context", response.Text);
        Assert.Equal("b/m-big", Route(response).Deployment.Name);
        Assert.Equal("smart", Route(response).LogicalModel);
    }

    [Fact]
    public async Task ContextTooLongEverywhere_ThrowsTheProvidersContextWindowError()
    {
        using var h = new RoutingHarness(o => o.Models["smart"] = Model(RoutingStrategy.Priority, Deployment("a", "m-small", 0), Deployment("b", "m-big", 1)));
        h.A.FailsWithContextWindowExceeded();
        h.B.FailsWithContextWindowExceeded();

        await Assert.ThrowsAsync<ContextWindowExceededException>(() => h.AskAsync("smart"));

        Assert.Equal(1, h.B.CallCount);
    }

    [Fact]
    public async Task ContentPolicyRefusal_GoesOnlyToTheConfiguredFallback()
    {
        using var h = new RoutingHarness(o =>
        {
            var smart = Model(RoutingStrategy.Priority, Deployment("a", "m-small", 0), Deployment("b", "m-small", 1));
            smart.ContentPolicyFallbacks.Add("lenient");
            o.Models["smart"] = smart;
            o.Models["lenient"] = Model(RoutingStrategy.Priority, Deployment("c", "m-big"));
        });
        h.A.Throws(new ProviderException("refused", "a", HttpStatusCode.BadRequest, LlmFailureKind.ContentPolicy));
        h.B.ReturnsText("never");
        h.C.ReturnsText("lenient answer");

        var response = await h.AskAsync("smart");

        Assert.Equal("lenient answer", response.Text);
        Assert.Equal(0, h.B.CallCount);
    }

    [Fact]
    public async Task ContentPolicyRefusal_WithoutFallback_IsThrown()
    {
        using var h = TwoDeployments();
        h.A.Throws(new ProviderException("refused", "a", HttpStatusCode.BadRequest, LlmFailureKind.ContentPolicy));
        h.B.ReturnsText("never");

        var ex = await Assert.ThrowsAsync<ProviderException>(() => h.AskAsync("smart"));

        Assert.Equal(LlmFailureKind.ContentPolicy, ex.FailureKind);
        Assert.Equal(0, h.B.CallCount);
    }

    [Fact]
    public async Task Fallbacks_AreTriedInOrder_AfterEveryDeploymentFailed()
    {
        using var h = new RoutingHarness(o =>
        {
            var smart = Model(RoutingStrategy.Priority, Deployment("a", "m-small"));
            smart.Fallbacks.AddRange(["second", "third"]);
            o.Models["smart"] = smart;
            o.Models["second"] = Model(RoutingStrategy.Priority, Deployment("b", "m-small"));
            o.Models["third"] = Model(RoutingStrategy.Priority, Deployment("c", "m-big"));
        });
        h.A.FailsWithServerError();
        h.B.FailsWithOverload();
        h.C.ReturnsText("third time");

        var response = await h.AskAsync("smart");

        Assert.Equal("third time", response.Text);
        Assert.Equal((1, 1), (h.A.CallCount, h.B.CallCount));
        Assert.Equal(1, (await h.Ledger.GetTotalsAsync(new UsageQuery())).Calls);
    }

    [Fact]
    public async Task EveryDeploymentFails_ThrowsTheLastProviderError()
    {
        using var h = TwoDeployments();
        h.A.FailsWithServerError();
        h.B.FailsWithOverload(HttpStatusCode.ServiceUnavailable);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => h.AskAsync("smart"));

        Assert.Equal(LlmFailureKind.Overloaded, ex.FailureKind);
        Assert.Equal("b", ex.Provider);
        var totals = await h.Ledger.GetTotalsAsync(new UsageQuery());
        Assert.Equal((1, 1), (totals.Calls, totals.Failures));
    }

    [Fact]
    public async Task EveryDeploymentCoolingDownAfterRateLimits_ThrowsRateLimitedWithTheSoonestEnd()
    {
        using var h = TwoDeployments();
        h.A.FailsWithRateLimit(TimeSpan.FromSeconds(40));
        h.B.FailsWithRateLimit(TimeSpan.FromSeconds(20));
        await Assert.ThrowsAsync<RateLimitedException>(() => h.AskAsync("smart"));

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => h.AskAsync("smart"));

        Assert.Equal(TimeSpan.FromSeconds(20), ex.RetryAfter);
        Assert.Contains("cooling down", ex.Message, StringComparison.Ordinal);
        Assert.Equal((1, 1), (h.A.CallCount, h.B.CallCount));
    }

    [Fact]
    public async Task MissingCapability_RejectsTheDeployment_WithTheReason()
    {
        using var h = new RoutingHarness(o => o.Models["smart"] = Model(RoutingStrategy.Priority, Deployment("a", "m-notools", 0), Deployment("b", "m-small", 1)));
        h.B.ReturnsText("with tools");
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 42, "answer")] };

        var response = await h.AskAsync("smart", options);

        Assert.Equal("with tools", response.Text);
        Assert.Equal(0, h.A.CallCount);
    }

    [Fact]
    public async Task NoDeploymentCanServe_ThrowsModelNotFound_NamingEachCandidateAndWhy()
    {
        using var h = new RoutingHarness(o =>
        {
            var smart = Model(RoutingStrategy.Priority, Deployment("a", "m-notools", 0), Deployment("b", "m-small", 1));
            smart.Deployments[1].Enabled = false;
            o.Models["smart"] = smart;
        });
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 42, "answer")] };

        var ex = await Assert.ThrowsAsync<ModelNotFoundException>(() => h.AskAsync("smart", options));

        Assert.Contains("lacks Tools", ex.Rejections["a/m-notools"], StringComparison.Ordinal);
        Assert.Equal("disabled in configuration", ex.Rejections["b/m-small"]);
        Assert.Contains("'smart'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeactivatedModel_IsSkipped()
    {
        using var h = TwoDeployments(m => m.Deployments[1].Model = "m-big");
        h.B.ReturnsText("big");
        h.Services.GetRequiredService<IModelRegistry>().SetActive("m-small", false);

        var response = await h.AskAsync("smart");

        Assert.Equal("big", response.Text);
        Assert.Equal(0, h.A.CallCount);
    }

    [Fact]
    public async Task RetryAfterWithinTheLimit_RetriesTheSameDeployment()
    {
        using var h = TwoDeployments(maxRetries: 2);
        h.A.FailsWithRateLimit(TimeSpan.FromSeconds(3)).ReturnsText("a after waiting");
        h.B.ReturnsText("never");

        var response = await h.AskAsync("smart");

        Assert.Equal("a after waiting", response.Text);
        Assert.Equal(0, h.B.CallCount);
    }

    [Fact]
    public async Task RetryAfterBeyondTheLimit_DoesNotWait_AndFallsBack()
    {
        using var h = TwoDeployments(maxRetries: 2);
        h.A.FailsWithRateLimit(TimeSpan.FromMinutes(2)).ReturnsText("never");
        h.B.ReturnsText("from b");
        var start = h.Time.GetUtcNow();

        var response = await FakeTime.DriveAsync(h.Time, h.Client.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" }), TimeSpan.FromMilliseconds(1));

        Assert.Equal("from b", response.Text);
        Assert.Equal(1, h.A.CallCount);
        Assert.True(h.Time.GetUtcNow() - start < TimeSpan.FromSeconds(1), "the router must not wait out a two-minute Retry-After");
    }

    [Fact]
    public async Task QuotaExhausted_IsNotRetried_ButFallsBack()
    {
        using var h = TwoDeployments(maxRetries: 2);
        h.A.FailsWithQuotaExhausted().ReturnsText("never");
        h.B.ReturnsText("from b");

        var response = await h.AskAsync("smart");

        Assert.Equal("from b", response.Text);
        Assert.Equal(1, h.A.CallCount);
    }

    /// <summary>Two deployments behind the router alone (no stage that reads routes), with <c>AnnotateRoutes</c> on.</summary>
    private static RoutingHarness AnnotatedRouterOnly(int maxRetries = 0) => new(
        o =>
        {
            o.Models["smart"] = Model(RoutingStrategy.Priority, Deployment("a", "m-small", priority: 0), Deployment("b", "m-small", priority: 1));
            o.AnnotateRoutes = true;
        },
        maxRetries,
        pipeline =>
        {
            pipeline.Remove(PipelineStageNames.Telemetry);
            pipeline.Remove(PipelineStageNames.Metering);
        });

    [Fact]
    public async Task FallBack_AnnotatedRouterOnly_RouteNamesTheDeploymentThatAnswered()
    {
        using var h = AnnotatedRouterOnly();
        h.A.FailsWithServerError(HttpStatusCode.BadGateway);
        h.B.ReturnsText("from b");

        var response = await h.AskAsync("smart");

        Assert.Equal("from b", response.Text);
        Assert.Equal("b/m-small", Route(response).Deployment.Name);
        Assert.Equal("b", Route(response).Provider);
        Assert.Equal("smart", Route(response).LogicalModel);
        Assert.Equal([LlmKitResponseProperties.Route], response.AdditionalProperties!.Keys);
    }

    [Fact]
    public async Task Retry_AnnotatedRouterOnly_RouteNamesTheRetriedDeployment()
    {
        using var h = AnnotatedRouterOnly(maxRetries: 2);
        h.A.FailsWithServerError(HttpStatusCode.ServiceUnavailable).ReturnsText("a on retry");
        h.B.ReturnsText("never");

        var response = await h.AskAsync("smart");

        Assert.Equal("a on retry", response.Text);
        Assert.Equal(2, h.A.CallCount);
        Assert.Equal(0, h.B.CallCount);
        Assert.Equal("a/m-small", Route(response).Deployment.Name);
    }

    [Fact]
    public async Task FallBackThenFirstChoice_AnnotatedRouterOnly_EachResponseKeepsItsOwnRoute()
    {
        using var h = AnnotatedRouterOnly();
        h.A.FailsWithOverload();
        h.B.ReturnsText("from b");
        var fallenBack = await h.AskAsync("smart");

        // One overload neither cools a down (fewer than MinimumCalls) nor opens its circuit: a is tried first again.
        h.A.ReturnsText("from a");
        var direct = await h.AskAsync("smart");

        Assert.Equal("from a", direct.Text);
        Assert.Equal("b/m-small", Route(fallenBack).Deployment.Name);
        Assert.Equal("a/m-small", Route(direct).Deployment.Name);
        Assert.NotSame(fallenBack.AdditionalProperties, direct.AdditionalProperties);
    }
}
