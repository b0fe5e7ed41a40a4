using System.Net;
using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Tests.Routing;

/// <summary>
/// Routing and resilience are not silent: retries, fallbacks, cooldowns and circuit changes are logged under
/// <c>LlmKit.Routing</c> with the deployment and a reason, and never with a secret from the failure.
/// </summary>
public class ResilienceEventsTests
{
    private const string Canary = "sk-canary-SECRET-4242";

    private static (ServiceProvider Services, FakeLogCollector Logs, FakeTimeProvider Time, ScriptedChatClient A, ScriptedChatClient B) Build(Action<LlmKitOptions> configure)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero));
        var a = new ScriptedChatClient(time);
        var b = new ScriptedChatClient(time);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddLlmKit(kit =>
        {
            kit.AddProvider("a", _ => a).AddProvider("b", _ => b);
            kit.AddModel("smart", new DeploymentOptions { Provider = "a", Model = "m", Priority = 0 }, new DeploymentOptions { Provider = "b", Model = "m", Priority = 1 });
            kit.Configure(configure);
        });
        var sp = services.BuildServiceProvider();
        return (sp, sp.GetRequiredService<FakeLogCollector>(), time, a, b);
    }

    private static IReadOnlyList<FakeLogRecord> Routing(FakeLogCollector logs) => logs.GetSnapshot().Where(r => r.Category == "LlmKit.Routing").ToList();

    [Fact]
    public async Task RetryThenFallback_AreLoggedWithDeploymentAndReason_WithoutTheFailureText()
    {
        var (sp, logs, time, a, b) = Build(o =>
        {
            o.Resilience.MaxRetries = 1;
            o.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(100);
            o.Resilience.RetryMaxDelay = TimeSpan.FromMilliseconds(100);
        });
        using var _ = sp;
        a.Throws(new ProviderException($"upstream said key {Canary} is bad", "a", HttpStatusCode.BadGateway, LlmFailureKind.ServerError));
        a.Throws(new ProviderException($"upstream said key {Canary} is bad", "a", HttpStatusCode.BadGateway, LlmFailureKind.ServerError));
        b.ReturnsText("from b");

        var response = await FakeTime.DriveAsync(time, sp.GetRequiredService<IChatClient>().GetResponseAsync("hi", new ChatOptions { ModelId = "smart" }), TimeSpan.FromMilliseconds(50));

        Assert.Equal("from b", response.Text);
        var records = Routing(logs);
        var retry = Assert.Single(records, r => r.Id.Name == "LlmKitRetry");
        Assert.Equal(LogLevel.Warning, retry.Level);
        Assert.Contains("'a/m'", retry.Message, StringComparison.Ordinal);
        Assert.Contains("ServerError (HTTP 502)", retry.Message, StringComparison.Ordinal);
        var fallback = Assert.Single(records, r => r.Id.Name == "LlmKitFallback");
        Assert.Contains("'a/m'", fallback.Message, StringComparison.Ordinal);
        Assert.Contains("'smart'", fallback.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Message.Contains(Canary, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CircuitOpensHalfOpensAndCloses_EachChangeIsLogged()
    {
        var (sp, logs, time, a, b) = Build(o =>
        {
            o.Resilience.MaxRetries = 0;
            o.Resilience.CircuitBreakerMinimumThroughput = 2;
            o.Resilience.CircuitBreakerBreakDuration = TimeSpan.FromSeconds(10);
            o.Cooldown.Enabled = false;
        });
        using var _ = sp;
        var chat = sp.GetRequiredService<IChatClient>();
        a.FailsWithServerError().FailsWithServerError();
        b.ReturnsText("b1").ReturnsText("b2");
        await chat.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" });
        await chat.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" });

        var opened = Assert.Single(Routing(logs), r => r.Id.Name == "LlmKitCircuitOpened");
        Assert.Equal(LogLevel.Error, opened.Level);
        Assert.Contains("'a/m'", opened.Message, StringComparison.Ordinal);
        Assert.Contains("10000 ms", opened.Message, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromSeconds(10));
        a.ReturnsText("a again");
        Assert.Equal("a again", (await chat.GetResponseAsync("hi", new ChatOptions { ModelId = "smart" })).Text);

        var names = Routing(logs).Select(r => r.Id.Name).ToList();
        Assert.True(names.IndexOf("LlmKitCircuitHalfOpened") > names.IndexOf("LlmKitCircuitOpened"), string.Join(", ", names));
        Assert.True(names.IndexOf("LlmKitCircuitClosed") > names.IndexOf("LlmKitCircuitHalfOpened"), string.Join(", ", names));
    }

    [Fact]
    public async Task RateLimitCooldown_IsLoggedWithItsDuration()
    {
        var (sp, logs, _, a, b) = Build(o => o.Resilience.MaxRetries = 0);
        using var __ = sp;
        a.FailsWithRateLimit(TimeSpan.FromSeconds(45));
        b.ReturnsText("from b");

        await sp.GetRequiredService<IChatClient>().GetResponseAsync("hi", new ChatOptions { ModelId = "smart" });

        var cooldown = Assert.Single(Routing(logs), r => r.Id.Name == "LlmKitCooldown");
        Assert.Contains("'a/m'", cooldown.Message, StringComparison.Ordinal);
        Assert.Contains("45000 ms", cooldown.Message, StringComparison.Ordinal);
        Assert.Contains("Retry-After", cooldown.Message, StringComparison.Ordinal);
    }
}
