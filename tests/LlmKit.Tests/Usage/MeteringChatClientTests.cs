using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace LlmKit.Tests.Usage;

public class MeteringChatClientTests
{
    private static (ServiceProvider Services, ScriptedChatClient Provider, InMemoryUsageLedger Ledger, FakeTimeProvider Time) Build()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero));
        var provider = new ScriptedChatClient(time);
        var ledger = new InMemoryUsageLedger();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IUsageLedger>(ledger);
        services.AddLlmKit(kit => kit.AddProvider("openai", _ => provider).AddModel("smart", "openai", "gpt-4o").UseDefaultModel("smart"));
        return (services.BuildServiceProvider(), provider, ledger, time);
    }

    private static UsageDetails Usage(long input, long output, long cached = 0) => new() { InputTokenCount = input, OutputTokenCount = output, CachedInputTokenCount = cached };

    [Fact]
    public async Task GetResponseAsync_Success_RecordsContextTokensAndPricedCostOnce()
    {
        var (sp, provider, ledger, time) = Build();
        provider.ReturnsText("hi", Usage(1000, 500, cached: 400)).WithLatency(TimeSpan.FromMilliseconds(250));
        var context = new LlmRequestContext { RequestId = "req-1", TenantId = "acme", UserId = "u1", ApiKeyId = "key-7", ConversationId = "c1", TemplateId = "greet", TemplateVersion = 3 };

        var call = sp.GetRequiredService<IChatClient>().GetResponseAsync("hello", new ChatOptions().WithLlmContext(context));
        time.Advance(TimeSpan.FromMilliseconds(250));
        await call;

        var totals = await ledger.GetTotalsAsync(new UsageQuery { Scope = BudgetScope.Tenant("acme") });
        Assert.Equal(1, totals.Calls);
        // gpt-4o: 600 x 2.50 + 400 x 1.25 + 500 x 10 per million = 0.007.
        Assert.Equal(0.007m, totals.KnownCostUsd);
        var top = await ledger.GetTopAsync(new UsageQuery(), UsageGrouping.Template, 1);
        Assert.Equal("greet", top[0].Key);
        Assert.Equal(1, (await ledger.GetTopAsync(new UsageQuery(), UsageGrouping.Deployment, 5)).Single(t => t.Key == "openai/gpt-4o").Value.Calls);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StreamBreaksAfterChunks_RecordsOneFailureOnTheDeploymentThatServedIt()
    {
        var (sp, provider, ledger, _) = Build();
        provider.StreamsThenFails(["one ", "two "], new ProviderException("connection reset", "openai", null, LlmFailureKind.Network));

        var received = new List<string>();
        await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in sp.GetRequiredService<IChatClient>().GetStreamingResponseAsync("hello"))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal(["one ", "two "], received);
        var totals = await ledger.GetTotalsAsync(new UsageQuery());
        Assert.Equal((1L, 1L), (totals.Calls, totals.Failures));
        Assert.Equal(1, (await ledger.GetTopAsync(new UsageQuery(), UsageGrouping.Deployment, 5)).Single(t => t.Key == "openai/gpt-4o").Value.Calls);
    }

    [Fact]
    public async Task GetResponseAsync_ProviderFailsEveryRetry_RecordsOneFailureWithKindAndRethrows()
    {
        var (sp, provider, ledger, time) = Build();
        provider.FailsWithRateLimit(TimeSpan.FromSeconds(2)).FailsWithRateLimit(TimeSpan.FromSeconds(2)).FailsWithRateLimit(TimeSpan.FromSeconds(2));

        var call = sp.GetRequiredService<IChatClient>().GetResponseAsync("hello");
        await Assert.ThrowsAsync<RateLimitedException>(() => FakeTime.DriveAsync(time, call));

        // The default resilience pipeline retried twice, honouring Retry-After: three attempts, one ledger record.
        Assert.Equal(3, provider.CallCount);
        var totals = await ledger.GetTotalsAsync(new UsageQuery());
        Assert.Equal(1, totals.Calls);
        Assert.Equal(1, totals.Failures);
        Assert.Equal(0m, totals.KnownCostUsd);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Completed_RecordsTheFinalUsage()
    {
        var (sp, provider, ledger, _) = Build();
        provider.StreamsChunks(["a", "b", "c"], usage: Usage(2000, 100));

        await foreach (var _ in sp.GetRequiredService<IChatClient>().GetStreamingResponseAsync("hello"))
        {
        }

        var totals = await ledger.GetTotalsAsync(new UsageQuery());
        Assert.Equal(2000, totals.InputTokens);
        Assert.Equal(100, totals.OutputTokens);
        // 2000 x 2.50 + 100 x 10 per million = 0.006.
        Assert.Equal(0.006m, totals.KnownCostUsd);
    }

    [Fact]
    public async Task GetResponseAsync_ModelWithoutPrice_RecordsUnknownCostNotZero()
    {
        var provider = new ScriptedChatClient().ReturnsText("x", Usage(10, 10));
        var ledger = new InMemoryUsageLedger();
        var services = new ServiceCollection();
        services.AddSingleton<IUsageLedger>(ledger);
        services.AddLlmKit(kit => kit.AddProvider("local", _ => provider).AddModel("house", "local", "my-finetune").UseDefaultModel("house"));
        using var sp = services.BuildServiceProvider();

        await sp.GetRequiredService<IChatClient>().GetResponseAsync("x");

        var totals = await ledger.GetTotalsAsync(new UsageQuery());
        Assert.Equal(1, totals.UnknownCostCalls);
        Assert.Equal(0m, totals.KnownCostUsd);
    }

    [Fact]
    public async Task GetResponseAsync_SameCallerRequestIdTwice_RecordsBothRoundTripsUnderTheirOwnIds()
    {
        var (sp, provider, ledger, _) = Build();
        provider.ReturnsText("a", Usage(10, 10)).ReturnsText("b", Usage(10, 10));
        var options = new ChatOptions().WithLlmContext(new LlmRequestContext { RequestId = "same" });

        await sp.GetRequiredService<IChatClient>().GetResponseAsync("x", options);
        await sp.GetRequiredService<IChatClient>().GetResponseAsync("x", options);

        // The provider answered (and charged) twice: both round trips are kept.
        Assert.Equal(2, ledger.Count);
        Assert.Equal(20, (await ledger.GetTotalsAsync(new UsageQuery())).InputTokens);
    }

    [Fact]
    public async Task GetResponseAsync_Success_RecordsOneUsageRecordWithContextTokensCostAndLatency()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero));
        var provider = new ScriptedChatClient(time);
        provider.ReturnsText("hi", Usage(1000, 500, cached: 400)).WithLatency(TimeSpan.FromMilliseconds(250));
        var ledger = Substitute.For<IUsageLedger>();
        ledger.RecordAsync(Arg.Any<UsageRecord>(), Arg.Any<CancellationToken>()).Returns(true);
        using var sp = BuildWith(ledger, provider, time);
        var context = new LlmRequestContext { RequestId = "req-1", TenantId = "acme", UserId = "u1", TemplateId = "greet", TemplateVersion = 3 };

        var call = sp.GetRequiredService<IChatClient>().GetResponseAsync("hello", new ChatOptions().WithLlmContext(context));
        time.Advance(TimeSpan.FromMilliseconds(250));
        await call;

        // gpt-4o: 600 x 2.50 + 400 x 1.25 + 500 x 10 per million = 0.007.
        await ledger.Received(1).RecordAsync(
            Arg.Is<UsageRecord>(r => r.RequestId != "req-1" && r.RequestId.Length == 32 && r.CorrelationId == "req-1" && r.RunId == null && r.TenantId == "acme" && r.UserId == "u1"
                && r.TemplateId == "greet" && r.TemplateVersion == 3
                && r.LogicalModel == "smart" && r.Deployment == "openai/gpt-4o" && r.Provider == "openai"
                && r.InputTokens == 1000 && r.CachedInputTokens == 400 && r.OutputTokens == 500
                && r.Cost.Total == 0.007m && r.Outcome == CallOutcome.Success && r.FailureKind == null
                && r.Latency == TimeSpan.FromMilliseconds(250) && r.Timestamp == time.Start),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task GetResponseAsync_ProviderFailsWithoutRetry_RecordsOneFailureWithItsKind()
    {
        var provider = new ScriptedChatClient().Throws(new ProviderException("bad key", "openai", System.Net.HttpStatusCode.Unauthorized, LlmFailureKind.Authentication));
        var ledger = Substitute.For<IUsageLedger>();
        using var sp = BuildWith(ledger, provider);

        await Assert.ThrowsAsync<ProviderException>(() => sp.GetRequiredService<IChatClient>().GetResponseAsync("hello"));

        Assert.Equal(1, provider.CallCount);
        await ledger.Received(1).RecordAsync(
            Arg.Is<UsageRecord>(r => r.Outcome == CallOutcome.Failure && r.FailureKind == LlmFailureKind.Authentication && r.OutputTokens == 0),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task GetResponseAsync_LedgerThrows_CallStillSucceeds()
    {
        var provider = new ScriptedChatClient().ReturnsText("fine", Usage(1, 1));
        var ledger = Substitute.For<IUsageLedger>();
        ledger.RecordAsync(Arg.Any<UsageRecord>(), Arg.Any<CancellationToken>()).Throws(new InvalidOperationException("disk full"));
        using var sp = BuildWith(ledger, provider);

        var response = await sp.GetRequiredService<IChatClient>().GetResponseAsync("x");

        Assert.Equal("fine", response.Text);
        await ledger.Received(1).RecordAsync(Arg.Any<UsageRecord>(), Arg.Any<CancellationToken>());
    }

    private static ServiceProvider BuildWith(IUsageLedger ledger, ScriptedChatClient provider, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddSingleton(ledger);
        services.AddLlmKit(kit => kit.AddProvider("openai", _ => provider).AddModel("smart", "openai", "gpt-4o").UseDefaultModel("smart"));
        return services.BuildServiceProvider();
    }
}
