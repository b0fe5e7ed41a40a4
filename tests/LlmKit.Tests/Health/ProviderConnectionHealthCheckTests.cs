using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Tests.Health;

public class ProviderConnectionHealthCheckTests
{
    private const string SecretKey = "sk-test-0123456789abcdefSECRET";

    private static ServiceProvider Build(
        ScriptedChatClient provider,
        FakeTimeProvider time,
        Action<IHealthChecksBuilder> checks,
        Action<ILlmKitBuilder>? extra = null,
        IConfiguration? configuration = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        void Configure(ILlmKitBuilder kit)
        {
            kit.AddProvider("p1", _ => provider);
            kit.AddModel("smart", "p1", "model-a");
            kit.Configure(o => o.Resilience.MaxRetries = 0);
            extra?.Invoke(kit);
        }

        if (configuration is null)
        {
            services.AddLlmKit(Configure);
        }
        else
        {
            services.AddLlmKit(configuration, Configure);
        }

        checks(services.AddHealthChecks());
        return services.BuildServiceProvider();
    }

    private static async Task<HealthReportEntry> CheckAsync(ServiceProvider sp, string name)
    {
        var report = await sp.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.True(report.Entries.TryGetValue(name, out var entry), $"No check named '{name}'; registered: {string.Join(", ", report.Entries.Keys)}.");
        return entry;
    }

    [Fact]
    public async Task CheckHealthAsync_ConfiguredConnection_IsHealthyWithTagAndDeploymentCount()
    {
        using var sp = Build(new ScriptedChatClient(), new FakeTimeProvider(), h => h.AddLlmKitChecks());

        var entry = await CheckAsync(sp, "llmkit:p1");

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains("llmkit", entry.Tags);
        Assert.Equal("p1", entry.Data["connection"]);
        Assert.Equal(1, entry.Data["deployments"]);
        Assert.Equal(0, entry.Data["unavailableDeployments"]);
    }

    [Fact]
    public async Task CheckHealthAsync_DeploymentCoolingDownAfterRateLimit_IsDegradedNamingDeploymentAndReasonUntilCooldownEnds()
    {
        var time = new FakeTimeProvider();
        var provider = new ScriptedChatClient(time).FailsWithRateLimit(TimeSpan.FromSeconds(30));
        using var sp = Build(provider, time, h => h.AddLlmKitChecks());
        await Assert.ThrowsAsync<RateLimitedException>(() => sp.GetRequiredService<IChatClient>().GetResponseAsync("hi", new ChatOptions { ModelId = "smart" }));

        var entry = await CheckAsync(sp, "llmkit:p1");

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("'p1/model-a'", entry.Description, StringComparison.Ordinal);
        Assert.Contains("cooling down", entry.Description, StringComparison.Ordinal);
        Assert.Contains("rate limited", entry.Description, StringComparison.Ordinal);
        Assert.Contains("cooling down", Assert.IsType<string>(entry.Data["deployment:p1/model-a"]), StringComparison.Ordinal);
        Assert.Equal(1, entry.Data["unavailableDeployments"]);

        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(sp, "llmkit:p1")).Status);
    }

    [Fact]
    public async Task CheckHealthAsync_DeploymentWithOpenCircuit_IsDegradedSayingSo()
    {
        var time = new FakeTimeProvider();
        var provider = new ScriptedChatClient(time).FailsWithServerError().FailsWithServerError();
        using var sp = Build(provider, time, h => h.AddLlmKitChecks(), kit => kit.Configure(o =>
        {
            o.Resilience.CircuitBreakerMinimumThroughput = 2;
            o.Cooldown.Enabled = false;
        }));
        var chat = sp.GetRequiredService<IChatClient>();
        await Assert.ThrowsAsync<ProviderException>(() => chat.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" }));
        await Assert.ThrowsAsync<ProviderException>(() => chat.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" }));

        var entry = await CheckAsync(sp, "llmkit:p1");

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("circuit breaker is open", Assert.IsType<string>(entry.Data["deployment:p1/model-a"]), StringComparison.Ordinal);
        Assert.Contains("'p1/model-a'", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealthAsync_FactoryThrows_IsUnhealthyWithTheReasonWhileOtherConnectionsStayHealthy()
    {
        using var sp = Build(
            new ScriptedChatClient(),
            new FakeTimeProvider(),
            h => h.AddLlmKitChecks(),
            kit => kit.AddProvider("broken", _ => throw new LlmKitConfigurationException("Provider connection 'broken' has no API key. Set 'LlmKit:Providers:broken:ApiKey'.")));

        var broken = await CheckAsync(sp, "llmkit:broken");

        Assert.Equal(HealthStatus.Unhealthy, broken.Status);
        Assert.Contains("cannot be created", broken.Description, StringComparison.Ordinal);
        Assert.Contains("has no API key", broken.Description, StringComparison.Ordinal);
        Assert.IsType<LlmKitConfigurationException>(broken.Exception);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(sp, "llmkit:p1")).Status);
    }

    [Fact]
    public async Task CheckHealthAsync_FactoryThrewEarlier_IsHealthyOnceTheFactorySucceeds()
    {
        bool secretStoreReachable = false;
        var late = new ScriptedChatClient();
        using var sp = Build(
            new ScriptedChatClient(),
            new FakeTimeProvider(),
            h => h.AddLlmKitChecks(),
            kit => kit.AddProvider("late", _ => secretStoreReachable ? late : throw new LlmKitConfigurationException("Provider connection 'late' has no API key yet.")));

        Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync(sp, "llmkit:late")).Status);
        secretStoreReachable = true;

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(sp, "llmkit:late")).Status);
    }

    [Fact]
    public async Task CheckHealthAsync_FactoryErrorQuotesAnAddressWithUserInfo_DescriptionMasksIt()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmKit:Providers:cfg:Type"] = "Leaky",
            ["LlmKit:Providers:cfg:BaseUrl"] = "http://user:CANARY-PASSWORD@127.0.0.1:1/",
        }).Build();
        using var sp = Build(
            new ScriptedChatClient(),
            new FakeTimeProvider(),
            h => h.AddLlmKitChecks(),
            kit => kit.AddProviderType("Leaky", (_, settings) => throw new InvalidOperationException($"Cannot reach {settings.BaseUrl}.")),
            config);

        var entry = await CheckAsync(sp, "llmkit:cfg");

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("127.0.0.1:1", entry.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", entry.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", entry.Exception?.ToString() ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealthAsync_FactoryErrorQuotesTheApiKey_DescriptionMasksIt()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmKit:Providers:cfg:Type"] = "Leaky",
            ["LlmKit:Providers:cfg:ApiKey"] = SecretKey,
        }).Build();
        using var sp = Build(
            new ScriptedChatClient(),
            new FakeTimeProvider(),
            h => h.AddLlmKitChecks(),
            kit => kit.AddProviderType("Leaky", (_, settings) => throw new InvalidOperationException($"The server rejected key {settings.ApiKey}.")),
            config);

        var entry = await CheckAsync(sp, "llmkit:cfg");

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("The server rejected key [secret]", entry.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, entry.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, entry.Exception?.ToString() ?? string.Empty, StringComparison.Ordinal);
        Assert.All(entry.Data.Values, v => Assert.DoesNotContain(SecretKey, v.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckHealthAsync_LiveProbeSucceeds_IsHealthyAndSendsOneTokenCallToFirstDeploymentModel()
    {
        ChatOptions? sent = null;
        var provider = new ScriptedChatClient().Responds((_, options) =>
        {
            sent = options;
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "OK"));
        });
        using var sp = Build(provider, new FakeTimeProvider(), h => h.AddLlmKitChecks(liveProbe: true));

        var entry = await CheckAsync(sp, "llmkit:p1");

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(1, provider.CallCount);
        Assert.Equal("model-a", sent?.ModelId);
        Assert.Equal(1, sent?.MaxOutputTokens);
        Assert.Equal("succeeded", entry.Data["probeResult"]);
        Assert.Equal("model-a", entry.Data["probeModel"]);
    }

    [Fact]
    public async Task CheckHealthAsync_LiveProbeFails_IsUnhealthyWithTheProvidersMessage()
    {
        var provider = new ScriptedChatClient().FailsWithServerError();
        using var sp = Build(provider, new FakeTimeProvider(), h => h.AddLlmKitChecks(liveProbe: true));

        var entry = await CheckAsync(sp, "llmkit:p1");

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        var failure = Assert.IsType<ProviderException>(entry.Exception);
        Assert.Contains(failure.Message, entry.Description, StringComparison.Ordinal);
        Assert.Contains("live probe", entry.Description, StringComparison.Ordinal);
        Assert.Equal("failed", entry.Data["probeResult"]);
    }

    [Fact]
    public async Task CheckHealthAsync_LiveProbeTakesLongerThanItsTimeout_IsUnhealthyWithTimeout()
    {
        var time = new FakeTimeProvider();
        var provider = new ScriptedChatClient(time).ReturnsText("OK").WithLatency(TimeSpan.FromMinutes(5));
        using var sp = Build(provider, time, h => h.AddLlmKitChecks(o =>
        {
            o.LiveProbe = true;
            o.LiveProbeTimeout = TimeSpan.FromSeconds(3);
        }));

        var entry = await FakeTime.DriveAsync(time, CheckAsync(sp, "llmkit:p1"));

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(LlmFailureKind.Timeout, Assert.IsType<ProviderException>(entry.Exception).FailureKind);
        Assert.Contains("within 3 s", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealthAsync_LiveProbeWithinInterval_ReusesTheLastOutcome()
    {
        var time = new FakeTimeProvider();
        var provider = new ScriptedChatClient(time) { FallbackResponder = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "OK")) };
        using var sp = Build(provider, time, h => h.AddLlmKitChecks(o =>
        {
            o.LiveProbe = true;
            o.LiveProbeInterval = TimeSpan.FromSeconds(60);
        }));

        await CheckAsync(sp, "llmkit:p1");
        time.Advance(TimeSpan.FromSeconds(30));
        await CheckAsync(sp, "llmkit:p1");
        Assert.Equal(1, provider.CallCount);

        time.Advance(TimeSpan.FromSeconds(31));
        await CheckAsync(sp, "llmkit:p1");
        Assert.Equal(2, provider.CallCount);
    }

    [Fact]
    public async Task CheckHealthAsync_WithoutLiveProbe_NeverCallsTheProvider()
    {
        var provider = new ScriptedChatClient();
        using var sp = Build(provider, new FakeTimeProvider(), h => h.AddLlmKitChecks());

        await CheckAsync(sp, "llmkit:p1");

        Assert.Equal(0, provider.CallCount);
    }

    [Fact]
    public async Task CheckHealthAsync_ConstructedDirectly_ChecksTheNamedConnection()
    {
        using var sp = Build(new ScriptedChatClient(), new FakeTimeProvider(), _ => { });
        var check = new ProviderConnectionHealthCheck(sp, "missing");

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("No provider connection named 'missing'", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NonPositiveProbeTimeout_ThrowsArgumentException()
    {
        using var sp = new ServiceCollection().BuildServiceProvider();

        Assert.Throws<ArgumentException>(() => new ProviderConnectionHealthCheck(sp, "p1", new LlmKitHealthCheckOptions { LiveProbeTimeout = TimeSpan.Zero }));
    }
}
