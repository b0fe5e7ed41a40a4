using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace LlmKit.Tests.Budgets;

public class BudgetChatClientTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private static readonly LlmRequestContext Acme = new() { TenantId = "acme" };

    private static (ServiceProvider Services, ScriptedChatClient Provider, InMemoryUsageLedger Ledger) Build(Action<ILlmKitBuilder>? configure = null, IChatClient? providerClient = null, ScriptedChatClient? scripted = null, IBudgetStore? store = null)
    {
        var time = new FakeTimeProvider(Start);
        var provider = scripted ?? new ScriptedChatClient(time);
        var ledger = new InMemoryUsageLedger();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IUsageLedger>(ledger);
        if (store is not null)
        {
            services.AddSingleton(store);
        }

        services.AddLlmKit(kit =>
        {
            kit.AddProvider("openai", _ => providerClient ?? provider)
                .AddModel("smart", "openai", "gpt-4o")
                .AddModel("cheap", "openai", "gpt-4o-mini")
                .UseDefaultModel("smart");
            configure?.Invoke(kit);
        });
        return (services.BuildServiceProvider(), provider, ledger);
    }

    private static ChatOptions Options(int maxOutput = 1_000) => new ChatOptions { MaxOutputTokens = maxOutput }.WithLlmContext(Acme);

    private static UsageDetails Usage(long input, long output) => new() { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };

    private static BudgetDefinition Daily(decimal limit) => new() { Id = "tenant-daily", Scope = new BudgetScope(BudgetScopeKind.Tenant, "*"), Limit = limit, Period = BudgetPeriod.Day };

    [Fact]
    public void Pipeline_NoBudgets_HasNoBudgetStage()
    {
        var (sp, _, _) = Build();

        Assert.Null(sp.GetRequiredService<IChatClient>().GetService<BudgetChatClient>());
    }

    [Fact]
    public async Task GetResponseAsync_WithinBudget_SettlesTheRealCost()
    {
        var (sp, provider, _) = Build(kit => kit.AddBudget(Daily(1m)));
        provider.ReturnsText("hi", Usage(1_000, 500));
        var chat = sp.GetRequiredService<IChatClient>();

        Assert.NotNull(chat.GetService<BudgetChatClient>());
        await chat.GetResponseAsync("hello", Options());

        // gpt-4o: 1,000 x 2.50 + 500 x 10 per million = 0.0075.
        var status = Assert.Single(await sp.GetRequiredService<IBudgetManager>().GetStatusAsync(Acme));
        Assert.Equal(0.0075m, status.Spent);
        Assert.Equal(0m, status.Reserved);
    }

    [Fact]
    public async Task GetResponseAsync_EstimateBeyondTheBudget_RejectsBeforeCallingTheProvider()
    {
        var (sp, provider, _) = Build(kit => kit.AddBudget(Daily(0.005m)));
        provider.ReturnsText("hi", Usage(10, 10));

        // Estimate: 8 prompt tokens x 2.50 + 1,000 output x 10 per million = 0.01002 USD.
        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() => sp.GetRequiredService<IChatClient>().GetResponseAsync("hello", Options()));

        Assert.Equal(0.01002m, ex.Requested);
        Assert.Equal(0.005m, ex.Remaining);
        Assert.Equal(0, provider.CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_DegradingBudgetExhausted_SendsTheCallToTheCheaperModelAndMetersIt()
    {
        var (sp, provider, ledger) = Build(kit => kit.AddBudget(Daily(0.015m) with { OnExhausted = BudgetExhaustedAction.Degrade, DegradeToModel = "cheap" }));
        var recording = new List<string?>();
        provider.Responds((_, o) => { recording.Add(o?.ModelId); return new ChatResponse(new ChatMessage(ChatRole.Assistant, "x")) { Usage = Usage(1_000, 500) }; });
        provider.Responds((_, o) => { recording.Add(o?.ModelId); return new ChatResponse(new ChatMessage(ChatRole.Assistant, "y")) { Usage = Usage(1_000, 500) }; });
        var chat = sp.GetRequiredService<IChatClient>();

        await chat.GetResponseAsync("hello", Options().WithLlmContext(Acme with { RequestId = "first" }));
        // Spent 0.0075; the next smart estimate (0.01002) does not fit in 0.015, the cheap one (0.0006012) does.
        await chat.GetResponseAsync("hello", Options().WithLlmContext(Acme with { RequestId = "second" }));

        Assert.Equal(["gpt-4o", "gpt-4o-mini"], recording);
        var byModel = await ledger.GetTopAsync(new UsageQuery(), UsageGrouping.Model, 5);
        Assert.Equal(1, byModel.Single(m => m.Key == "cheap").Value.Calls);
        Assert.Equal(1, byModel.Single(m => m.Key == "smart").Value.Calls);
        // gpt-4o-mini: 1,000 x 0.15 + 500 x 0.60 per million = 0.00045; total 0.00795.
        Assert.Equal(0.00795m, Assert.Single(await sp.GetRequiredService<IBudgetManager>().GetStatusAsync(Acme)).Spent);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Completed_SettlesFromTheFinalUsage()
    {
        var (sp, provider, _) = Build(kit => kit.AddBudget(Daily(1m)));
        provider.StreamsChunks(["a", "b", "c"], usage: Usage(2_000, 100));

        await foreach (var _ in sp.GetRequiredService<IChatClient>().GetStreamingResponseAsync("hello", Options()))
        {
        }

        // 2,000 x 2.50 + 100 x 10 per million = 0.006.
        var status = Assert.Single(await sp.GetRequiredService<IBudgetManager>().GetStatusAsync(Acme));
        Assert.Equal(0.006m, status.Spent);
        Assert.Equal(0m, status.Reserved);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_DisposedEarly_ReleasesTheReservation()
    {
        var (sp, provider, _) = Build(kit => kit.AddBudget(Daily(1m)));
        provider.StreamsChunks(["a", "b", "c"], usage: Usage(2_000, 100));
        var manager = sp.GetRequiredService<IBudgetManager>();

        await using (var e = sp.GetRequiredService<IChatClient>().GetStreamingResponseAsync("hello", Options()).GetAsyncEnumerator())
        {
            Assert.True(await e.MoveNextAsync());
            Assert.Equal(0.01002m, Assert.Single(await manager.GetStatusAsync(Acme)).Reserved);
        }

        var status = Assert.Single(await manager.GetStatusAsync(Acme));
        Assert.Equal(0m, status.Reserved);
        Assert.Equal(0m, status.Spent);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ProviderFailsMidStream_ReleasesAndRethrows()
    {
        var (sp, provider, _) = Build(kit => kit.AddBudget(Daily(1m)));
        provider.StreamsThenFails(["a"], new InvalidOperationException("cut"));

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in sp.GetRequiredService<IChatClient>().GetStreamingResponseAsync("hello", Options()))
            {
            }
        });

        Assert.Equal(0m, Assert.Single(await sp.GetRequiredService<IBudgetManager>().GetStatusAsync(Acme)).Reserved);
    }

    [Fact]
    public async Task GetResponseAsync_ProviderFails_ReleasesTheReservation()
    {
        var (sp, provider, _) = Build(kit => kit.AddBudget(Daily(1m)));
        provider.Throws(new InvalidOperationException("boom"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => sp.GetRequiredService<IChatClient>().GetResponseAsync("hello", Options()));

        var status = Assert.Single(await sp.GetRequiredService<IBudgetManager>().GetStatusAsync(Acme));
        Assert.Equal(0m, status.Reserved);
        Assert.Equal(0m, status.Spent);
    }

    [Fact]
    public async Task GetResponseAsync_ExactCountAsked_ReservesTheProviderCount()
    {
        var scripted = new ScriptedChatClient();
        scripted.ReturnsText("x", Usage(10, 10)).ReturnsText("x", Usage(10, 10));
        var tokens = new BudgetDefinition { Id = "tokens", Scope = BudgetScope.Global, Unit = BudgetUnit.Tokens, Limit = 10_000 };
        var exactCounter = Substitute.For<IExactTokenCounter>();
        exactCounter.CountTokensAsync(Arg.Any<IEnumerable<ChatMessage>>(), Arg.Any<ChatOptions?>(), Arg.Any<CancellationToken>()).Returns(50_000);
        var (sp, _, _) = Build(kit => kit.AddBudget(tokens), new ServiceProvidingClient(scripted, typeof(IExactTokenCounter), exactCounter), scripted);
        var chat = sp.GetRequiredService<IChatClient>();

        // Locally "hello" is 8 tokens: 8 + 100 fits; the provider's count says 50,000.
        await chat.GetResponseAsync("hello", Options(100));
        var exact = Options(100);
        exact.AdditionalProperties![BudgetChatClient.ExactTokenCountProperty] = true;
        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() => chat.GetResponseAsync("hello", exact));

        Assert.Equal(50_100m, ex.Requested);
        Assert.Equal(BudgetUnit.Tokens, ex.Unit);
        await exactCounter.Received(1).CountTokensAsync(Arg.Is<IEnumerable<ChatMessage>>(m => m.Single().Text == "hello"), Arg.Any<ChatOptions?>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task GetResponseAsync_WithinBudget_ReservesTheEstimateThenSettlesTheRealCostOnTheStore()
    {
        var store = Substitute.For<IBudgetStore>();
        string? reservationId = null;
        store.TryReserveAsync(default, default!, default, default, default, default).ReturnsForAnyArgs(call =>
        {
            reservationId = call.ArgAt<string>(1);
            return true;
        });
        var (sp, provider, _) = Build(kit => kit.AddBudget(Daily(1m)), store: store);
        provider.ReturnsText("hi", Usage(1_000, 500));

        await sp.GetRequiredService<IChatClient>().GetResponseAsync("hello", Options());

        // The estimate: "hello" (8 tokens) x 2.50 + 1,000 x 10 per million = 0.01002; the real cost 0.0075.
        var window = new BudgetWindowKey("tenant-daily", BudgetScope.Tenant("acme"), new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero));
        // The id the stage reserved under must be the one it settles: a null id would match neither call below.
        string reserved = reservationId ?? string.Empty;
        Received.InOrder(() =>
        {
            store.TryReserveAsync(window, reserved, 0.01002m, 1m, Start, Arg.Any<CancellationToken>());
            store.SettleAsync(window, reserved, 0.0075m, Start, Arg.Any<CancellationToken>());
        });
        await store.ReceivedWithAnyArgs(1).TryReserveAsync(default, default!, default, default, default, default);
        await store.ReceivedWithAnyArgs(1).SettleAsync(default, default!, default, default, default);
    }

    [Fact]
    public async Task GetResponseAsync_StoreRefusesTheReservation_ThrowsWithoutCallingTheProviderOrSettling()
    {
        var store = Substitute.For<IBudgetStore>();
        store.TryReserveAsync(default, default!, default, default, default, default).ReturnsForAnyArgs(false);
        store.GetAsync(default, default, default).ReturnsForAnyArgs(new BudgetWindowUsage(0.995m, 0m));
        var (sp, provider, _) = Build(kit => kit.AddBudget(Daily(1m)), store: store);
        provider.ReturnsText("never");

        await Assert.ThrowsAsync<BudgetExceededException>(() => sp.GetRequiredService<IChatClient>().GetResponseAsync("hello", Options()));

        Assert.Equal(0, provider.CallCount);
        await store.Received(1).TryReserveAsync(Arg.Is<BudgetWindowKey>(k => k.BudgetId == "tenant-daily"), Arg.Any<string>(), 0.01002m, 1m, Start, Arg.Any<CancellationToken>());
        await store.DidNotReceiveWithAnyArgs().SettleAsync(default, default!, default, default, default);
    }

    [Fact]
    public async Task GetResponseAsync_TokenBudget_ReservesWhatTheProvidersTokenCounterCounts()
    {
        var counter = Substitute.For<ITokenCounter>();
        counter.CountTokens(Arg.Any<IEnumerable<ChatMessage>>(), Arg.Any<ChatOptions?>()).Returns(9_000);
        var scripted = new ScriptedChatClient();
        scripted.ReturnsText("x", Usage(10, 10)).ReturnsText("x", Usage(10, 10));
        var tokens = new BudgetDefinition { Id = "tokens", Scope = BudgetScope.Global, Unit = BudgetUnit.Tokens, Limit = 10_000 };
        var (sp, _, _) = Build(kit => kit.AddBudget(tokens), new ServiceProvidingClient(scripted, typeof(ITokenCounter), counter), scripted);
        var chat = sp.GetRequiredService<IChatClient>();

        // 9,000 counted + 100 output fits 10,000; 9,000 + 2,000 does not.
        await chat.GetResponseAsync("hello", Options(100));
        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() => chat.GetResponseAsync("hello", Options(2_000)));

        Assert.Equal(11_000m, ex.Requested);
        counter.Received(2).CountTokens(
            Arg.Is<IEnumerable<ChatMessage>>(m => m.Single().Text == "hello"),
            Arg.Any<ChatOptions?>());
        Assert.Equal(1, scripted.CallCount);
    }

    [Fact]
    public async Task GetResponseAsync_TokenBudget_CountsWithTheTokenizerTheHostRegisteredForTheModel()
    {
        // A local model's own tokenizer (kit.AddTokenizer) wins over the provider's counter and the estimate.
        var registered = Substitute.For<ITokenCounter>();
        registered.CountTokens(Arg.Any<IEnumerable<ChatMessage>>(), Arg.Any<ChatOptions?>()).Returns(9_000);
        var providers = Substitute.For<ITokenCounter>();
        providers.CountTokens(Arg.Any<IEnumerable<ChatMessage>>(), Arg.Any<ChatOptions?>()).Returns(10);
        var scripted = new ScriptedChatClient();
        scripted.ReturnsText("x", Usage(10, 10)).ReturnsText("x", Usage(10, 10));
        var tokens = new BudgetDefinition { Id = "tokens", Scope = BudgetScope.Global, Unit = BudgetUnit.Tokens, Limit = 10_000 };
        var (sp, _, _) = Build(kit => kit.AddBudget(tokens).AddTokenizer("*", registered), new ServiceProvidingClient(scripted, typeof(ITokenCounter), providers), scripted);
        var chat = sp.GetRequiredService<IChatClient>();

        await chat.GetResponseAsync("hello", Options(100));
        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() => chat.GetResponseAsync("hello", Options(2_000)));

        Assert.Equal(11_000m, ex.Requested);
        registered.Received(2).CountTokens(Arg.Any<IEnumerable<ChatMessage>>(), Arg.Any<ChatOptions?>());
        providers.DidNotReceiveWithAnyArgs().CountTokens(default!, default);
    }

    [Fact]
    public void AddLlmKit_BudgetsFromConfiguration_AreBoundWithTheirSettings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmKit:Budgets:tenant-monthly:Scope"] = "Tenant",
            ["LlmKit:Budgets:tenant-monthly:Limit"] = "250",
            ["LlmKit:Budgets:tenant-monthly:TimeZone"] = "Europe/Berlin",
            ["LlmKit:Budgets:tenant-monthly:AlertThresholds:0"] = "0.9",
            ["LlmKit:Budgets:tenant-monthly:OnExhausted"] = "Degrade",
            ["LlmKit:Budgets:tenant-monthly:DegradeTo"] = "cheap",
            ["LlmKit:Budgets:user-hourly-tokens:Scope"] = "User",
            ["LlmKit:Budgets:user-hourly-tokens:Unit"] = "Tokens",
            ["LlmKit:Budgets:user-hourly-tokens:Limit"] = "200000",
            ["LlmKit:Budgets:user-hourly-tokens:Period"] = "Hour",
            ["LlmKit:Budgets:user-hourly-tokens:Rolling"] = "true",
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit => kit.AddProvider("openai", _ => new ScriptedChatClient()).AddModel("cheap", "openai", "gpt-4o-mini"));
        using var sp = services.BuildServiceProvider();

        var budgets = ((BudgetManager)sp.GetRequiredService<IBudgetManager>()).Budgets;

        var monthly = budgets.Single(b => b.Id == "tenant-monthly");
        Assert.Equal(new BudgetScope(BudgetScopeKind.Tenant, "*"), monthly.Scope);
        Assert.Equal(250m, monthly.Limit);
        Assert.Equal(BudgetPeriod.Month, monthly.Period);
        Assert.Equal("Europe/Berlin", monthly.TimeZoneId);
        Assert.Equal([0.9m], monthly.AlertThresholds);
        Assert.Equal("cheap", monthly.DegradeToModel);
        var hourly = budgets.Single(b => b.Id == "user-hourly-tokens");
        Assert.Equal(BudgetUnit.Tokens, hourly.Unit);
        Assert.True(hourly.IsRolling);
        Assert.Equal([0.5m, 0.8m, 1.0m], hourly.AlertThresholds);
    }

    [Fact]
    public async Task AddLlmKit_ReadmeAppsettingsExample_LoadsValidatesAndAdmits()
    {
        const string json = """
            {
              "LlmKit": {
                "Budgets": {
                  "company-monthly": { "Scope": "Global", "Limit": 5000, "Period": "Month", "TimeZone": "Europe/Berlin" },
                  "tenant-daily":    { "Scope": "Tenant", "Limit": 20, "Period": "Day", "TimeZone": "Europe/Berlin",
                                       "AlertThresholds": [ 0.5, 0.8, 1.0 ], "OnExhausted": "Degrade", "DegradeTo": "cheap" },
                  "user-hourly":     { "Scope": "User", "Unit": "Tokens", "Limit": 200000, "Period": "Hour", "Rolling": true },
                  "key-k42":         { "Scope": "ApiKey", "ScopeValue": "k42", "Limit": 100, "Period": "Week" },
                  "projects":        { "Scope": "Custom", "Limit": 300, "OnUnknownPrice": "Skip" }
                }
              }
            }
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        var provider = new ScriptedChatClient().ReturnsText("hi", Usage(1_000, 500));
        services.AddLlmKit(configuration, kit => kit.AddProvider("openai", _ => provider).AddModel("cheap", "openai", "gpt-4o-mini").UseDefaultModel("gpt-4o"));
        using var sp = services.BuildServiceProvider();
        var context = new LlmRequestContext { TenantId = "acme", UserId = "u1", ApiKeyId = "k42", BudgetScopes = [BudgetScope.Custom("apollo")] };

        await sp.GetRequiredService<IChatClient>().GetResponseAsync("hello", new ChatOptions { MaxOutputTokens = 100 }.WithLlmContext(context));

        var statuses = await sp.GetRequiredService<IBudgetManager>().GetStatusAsync(context);
        Assert.Equal(["company-monthly", "key-k42", "projects", "tenant-daily", "user-hourly"], statuses.Select(s => s.Budget.Id).Order(StringComparer.Ordinal));
        Assert.Equal(0.0075m, statuses.Single(s => s.Budget.Id == "tenant-daily").Spent);
        Assert.Equal(1_500m, statuses.Single(s => s.Budget.Id == "user-hourly").Spent);
    }

    [Fact]
    public void AddLlmKit_InvalidBudgetConfiguration_FailsAtStartUpNamingEachKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmKit:Budgets:bad:Scope"] = "Tenant",
            ["LlmKit:Budgets:bad:Limit"] = "-5",
            ["LlmKit:Budgets:bad:TimeZone"] = "Europe/Atlantis",
            ["LlmKit:Budgets:bad:OnExhausted"] = "Degrade",
            ["LlmKit:Budgets:worse:Limit"] = "5",
            ["LlmKit:Budgets:worse:OnExhausted"] = "Degrade",
            ["LlmKit:Budgets:worse:DegradeTo"] = "ghost",
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit => kit.AddProvider("a", _ => new ScriptedChatClient()).AddProvider("b", _ => new ScriptedChatClient()));
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IChatClient>());

        Assert.Contains("LlmKit:Budgets:bad:Limit", ex.Keys);
        Assert.Contains("LlmKit:Budgets:bad:TimeZone", ex.Keys);
        Assert.Contains("LlmKit:Budgets:bad:DegradeTo", ex.Keys);
        Assert.Contains("LlmKit:Budgets:worse:DegradeTo", ex.Keys);
        Assert.Contains("'ghost' is not a logical model", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddLlmKit_MisspelledBudgetSetting_FailsAtStartUp()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmKit:Budgets:b:Limit"] = "5",
            ["LlmKit:Budgets:b:Perod"] = "Day",
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit => kit.AddProvider("a", _ => new ScriptedChatClient()));
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IChatClient>());

        Assert.Contains("'LlmKit:Budgets:b:Perod': unknown key; known keys:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("LlmKit:Budgets:b:Perod", ex.Keys);
    }

    [Fact]
    public void AddLlmKit_MisspelledBudgetAdmissionSetting_FailsAtStartUpNamingTheSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmKit:BudgetAdmission:ExactInputTokenz"] = "true",
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(configuration, kit => kit.AddProvider("a", _ => new ScriptedChatClient()));
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IChatClient>());

        Assert.Contains("'LlmKit:BudgetAdmission:ExactInputTokenz': unknown key", ex.Message, StringComparison.Ordinal);
        Assert.Contains("LlmKit:BudgetAdmission:ExactInputTokenz", ex.Keys);
    }

    /// <summary>A provider client that also offers an exact count endpoint returning a fixed count.</summary>
    /// <summary>A provider client that offers <paramref name="service"/> through <see cref="IChatClient.GetService"/>, as real provider clients offer their counters.</summary>
    private sealed class ServiceProvidingClient(IChatClient inner, Type serviceType, object service) : DelegatingChatClient(inner)
    {
        public override object? GetService(Type serviceType1, object? serviceKey = null)
            => serviceKey is null && serviceType1 == serviceType ? service : base.GetService(serviceType1, serviceKey);
    }
}
