using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Faults.Tests.Routing;

/// <summary>
/// Provider faults through the whole <c>AddLlmKit()</c> pipeline (telemetry, metering into the in-memory ledger, router
/// with each deployment's resilience pipeline) and the real provider packages, against aimock's error fixtures over HTTP:
/// retries, fallback to the second deployment, cooldown, and one usage record per logical call. The logical model
/// <c>smart</c> has the deployment <c>primary/…</c> (priority 0) and the OpenAI deployment <c>secondary/gpt-b</c>.
/// Retry delays are a few milliseconds; only the Retry-After test waits (the one second aimock sends).
/// </summary>
public class ModelRouterChatClientTests(AimockFaultFixture aimock) : IClassFixture<AimockFaultFixture>
{
    private const string Primary = "primary";
    private const string Secondary = "secondary/gpt-b";

    private static DeploymentResilienceOptions Fast(int maxRetries = 1) => new()
    {
        MaxRetries = maxRetries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RetryMaxDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryAfter = TimeSpan.FromSeconds(2),
        AttemptTimeout = TimeSpan.FromSeconds(30),
        TotalTimeout = TimeSpan.FromSeconds(60),
    };

    private ServiceProvider Build(string testId, string kind = "openai", string model = "gpt-a", DeploymentResilienceOptions? primary = null)
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit =>
        {
            switch (kind)
            {
                case "anthropic":
                    kit.AddAnthropic(Primary, o =>
                    {
                        o.BaseUrl = aimock.Server.BaseUri;
                        o.ApiKey = "sk-ant-fault-test-000000";
                        o.Headers["X-Test-Id"] = testId;
                    });
                    break;
                case "gemini":
                    kit.AddGemini(Primary, o =>
                    {
                        o.BaseUrl = aimock.Server.BaseUri;
                        o.ApiKey = "gemini-fault-test-key";
                        o.Headers["X-Test-Id"] = testId;
                    });
                    break;
                default:
                    kit.AddOpenAI(Primary, o => OpenAI(o, testId));
                    break;
            }

            kit.AddOpenAI("secondary", o => OpenAI(o, testId));
            kit.AddModel(
                "smart",
                new DeploymentOptions { Provider = Primary, Model = model, Priority = 0, Resilience = primary ?? Fast() },
                new DeploymentOptions { Provider = "secondary", Model = "gpt-b", Priority = 1, Resilience = Fast() });
            kit.UseDefaultModel("smart");
        });
        return services.BuildServiceProvider();
    }

    private void OpenAI(OpenAIConnectionOptions options, string testId)
    {
        options.BaseUrl = new Uri(aimock.Server.BaseUri, "v1/");
        options.ApiKey = "sk-fault-test-000000";
        options.Headers["X-Test-Id"] = testId;
    }

    private static string NewTestId() => Guid.NewGuid().ToString("N");

    private static ModelPerformanceSnapshot Deployment(ServiceProvider services, string name)
        => services.GetRequiredService<ModelPerformanceStatistics>().GetSnapshot().Deployments.Single(d => d.Name == name);

    private static async Task<UsageTotals> MeteredAsync(ServiceProvider services, string? deployment = null)
    {
        var ledger = services.GetRequiredService<IUsageLedger>();
        if (deployment is null)
        {
            return await ledger.GetTotalsAsync(new UsageQuery());
        }

        var top = await ledger.GetTopAsync(new UsageQuery(), UsageGrouping.Deployment, 10);
        return top.Single(t => t.Key == deployment).Value;
    }

    private static string? ServedBy(ChatResponse response)
        => LlmKitResponseProperties.TryGetRoute(response.AdditionalProperties, out var route) ? route.Deployment.Name : null;

    [Fact]
    public async Task GetResponseAsync_429WithShortRetryAfter_RetriesTheSameDeploymentAndMetersOnce()
    {
        string testId = NewTestId();
        using var services = Build(testId);

        var response = await services.GetRequiredService<IChatClient>().GetResponseAsync("rate limited briefly");

        Assert.Equal("answered after the wait", response.Text);
        Assert.Equal("primary/gpt-a", ServedBy(response));
        Assert.Equal(2, await aimock.RequestsAsync(testId, "gpt-a"));
        Assert.Equal(0, await aimock.RequestsAsync(testId, "gpt-b"));
        var metered = await MeteredAsync(services);
        Assert.Equal((1L, 0L), (metered.Calls, metered.Failures));
        Assert.Null(Deployment(services, "primary/gpt-a").CoolingDownUntil);
    }

    [Fact]
    public async Task GetResponseAsync_429WithLongRetryAfter_CoolsTheDeploymentDownAndFallsBack()
    {
        string testId = NewTestId();
        using var services = Build(testId);
        var client = services.GetRequiredService<IChatClient>();

        var first = await client.GetResponseAsync("rate limited for long");
        var second = await client.GetResponseAsync("rate limited for long");

        Assert.Equal("from b while a cools down", first.Text);
        Assert.Equal(Secondary, ServedBy(first));
        Assert.Equal(Secondary, ServedBy(second));

        // Retry-After (30 s) is longer than MaxRetryAfter (2 s): no waiting, the deployment cools down for 30 s and the
        // second call does not try it at all.
        Assert.Equal(1, await aimock.RequestsAsync(testId, "gpt-a"));
        Assert.Equal(2, await aimock.RequestsAsync(testId, "gpt-b"));
        var a = Deployment(services, "primary/gpt-a");
        Assert.NotNull(a.CoolingDownUntil);
        Assert.Contains("Retry-After", a.CooldownReason, StringComparison.Ordinal);
        Assert.Equal(1, a.Failures[LlmFailureKind.RateLimited]);
        var metered = await MeteredAsync(services);
        Assert.Equal((2L, 0L), (metered.Calls, metered.Failures));
        Assert.Equal(2, (await MeteredAsync(services, Secondary)).Calls);
    }

    [Fact]
    public async Task GetResponseAsync_500s_AreRetriedThenFailOverToTheSecondDeployment()
    {
        string testId = NewTestId();
        using var services = Build(testId);

        var response = await services.GetRequiredService<IChatClient>().GetResponseAsync("server error");

        Assert.Equal("from b after the 500s", response.Text);
        Assert.Equal(Secondary, ServedBy(response));
        Assert.Equal(2, await aimock.RequestsAsync(testId, "gpt-a")); // the attempt and its one retry
        Assert.Equal(1, await aimock.RequestsAsync(testId, "gpt-b"));
        Assert.Equal(1, Deployment(services, "primary/gpt-a").Failures[LlmFailureKind.ServerError]);
        var metered = await MeteredAsync(services);
        Assert.Equal((1L, 0L), (metered.Calls, metered.Failures));
        Assert.Equal(1, (await MeteredAsync(services, Secondary)).Calls);
    }

    [Fact]
    public async Task GetResponseAsync_503Once_IsRetriedOnTheSameDeployment()
    {
        string testId = NewTestId();
        using var services = Build(testId);

        var response = await services.GetRequiredService<IChatClient>().GetResponseAsync("unavailable once");

        Assert.Equal("answered after the 503", response.Text);
        Assert.Equal("primary/gpt-a", ServedBy(response));
        Assert.Equal(2, await aimock.RequestsAsync(testId, "gpt-a"));
        Assert.Equal(0, await aimock.RequestsAsync(testId, "gpt-b"));
        var a = Deployment(services, "primary/gpt-a");
        Assert.Equal((1L, 1L), (a.Requests, a.Successes)); // one logical call, whatever happened inside it
        Assert.Equal(1, (await MeteredAsync(services)).Calls);
    }

    [Fact]
    public async Task GetResponseAsync_Anthropic529_FailsOverToOpenAI()
    {
        string testId = NewTestId();
        using var services = Build(testId, "anthropic", "claude-a", Fast(maxRetries: 0));

        var response = await services.GetRequiredService<IChatClient>().GetResponseAsync("anthropic overloaded");

        Assert.Equal("from openai after the 529", response.Text);
        Assert.Equal(Secondary, ServedBy(response));
        Assert.Equal(1, await aimock.RequestsAsync(testId, "claude-a"));
        Assert.Equal(1, Deployment(services, "primary/claude-a").Failures[LlmFailureKind.Overloaded]);
        var metered = await MeteredAsync(services);
        Assert.Equal((1L, 0L), (metered.Calls, metered.Failures));
        Assert.Equal(1, (await MeteredAsync(services, Secondary)).Calls);
    }

    [Fact]
    public async Task GetResponseAsync_Gemini503_IsRetriedThenFailsOverToOpenAI()
    {
        string testId = NewTestId();
        using var services = Build(testId, "gemini", "gemini-a");

        var response = await services.GetRequiredService<IChatClient>().GetResponseAsync("gemini unavailable");

        Assert.Equal("from openai after gemini's 503", response.Text);
        Assert.Equal(Secondary, ServedBy(response));
        Assert.Equal(2, await aimock.RequestsAsync(testId, "gemini-a"));
        Assert.Equal(1, Deployment(services, "primary/gemini-a").Failures[LlmFailureKind.Overloaded]);
        Assert.Equal(1, (await MeteredAsync(services)).Calls);
    }

    [Fact]
    public async Task GetResponseAsync_AttemptTimeout_FailsOverToTheSecondDeployment()
    {
        string testId = NewTestId();
        var slow = Fast(maxRetries: 0);
        slow.AttemptTimeout = TimeSpan.FromSeconds(1);
        using var services = Build(testId, primary: slow);

        var response = await services.GetRequiredService<IChatClient>().GetResponseAsync("too slow");

        Assert.Equal("from b after the timeout", response.Text);
        Assert.Equal(Secondary, ServedBy(response));
        Assert.Equal(1, Deployment(services, "primary/gpt-a").Failures[LlmFailureKind.Timeout]);
        var metered = await MeteredAsync(services);
        Assert.Equal((1L, 0L), (metered.Calls, metered.Failures));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConnectionCutBeforeTheFirstChunk_FallsBack()
    {
        string testId = NewTestId();
        using var services = Build(testId, primary: Fast(maxRetries: 0));

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in services.GetRequiredService<IChatClient>().GetStreamingResponseAsync("cut before the first chunk"))
        {
            updates.Add(update);
        }

        Assert.Equal("streamed from b after the cut", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(1, Deployment(services, "primary/gpt-a").Failures[LlmFailureKind.Network]);
        Assert.Equal(1, await aimock.RequestsAsync(testId, "gpt-b"));
        var metered = await MeteredAsync(services);
        Assert.Equal((1L, 0L), (metered.Calls, metered.Failures));
        Assert.Equal(1, (await MeteredAsync(services, Secondary)).Calls);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConnectionCutMidStream_FailsWithoutFallbackAndMetersOneFailure()
    {
        string testId = NewTestId();
        using var services = Build(testId);

        var text = new System.Text.StringBuilder();
        var ex = await Assert.ThrowsAnyAsync<LlmKitException>(async () =>
        {
            await foreach (var update in services.GetRequiredService<IChatClient>().GetStreamingResponseAsync("cut mid stream"))
            {
                text.Append(update.Text);
            }
        });

        // The caller already had chunks: the stream may not fall back, so the failure reaches the caller.
        Assert.StartsWith("one", text.ToString(), StringComparison.Ordinal);
        Assert.NotEqual("one two three four five six seven eight nine ten", text.ToString());
        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
        Assert.Equal(1, await aimock.RequestsAsync(testId, "gpt-a"));
        Assert.Equal(0, await aimock.RequestsAsync(testId, "gpt-b"));
        var metered = await MeteredAsync(services);
        Assert.Equal((1L, 1L), (metered.Calls, metered.Failures));
    }
}
