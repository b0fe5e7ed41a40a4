using LlmKit.Testing;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Stores.Tests.Caching;

/// <summary>
/// The response cache's behaviour through the whole default pipeline, run against each second level: none (in memory
/// only), SQLite and Redis. The provider is a scripted client whose every answer is numbered, so a hit is told from a miss
/// by the text as well as by the provider's call count.
/// </summary>
public abstract class ResponseCacheContractTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly UsageDetails Usage = new() { InputTokenCount = 1_000, OutputTokenCount = 500, TotalTokenCount = 1_500 };

    /// <summary>Registers the second-level cache under test; every call of one test instance shares the same store.</summary>
    protected abstract void AddSecondLevel(ILlmKitBuilder kit);

    /// <summary>Whether two service providers (two machines) share answers through the second level.</summary>
    protected abstract bool SharesAcrossMachines { get; }

    protected sealed class Machine(ServiceProvider services, ScriptedChatClient provider, InMemoryUsageLedger ledger, FakeTimeProvider time)
    {
        public ServiceProvider Services { get; } = services;

        public ScriptedChatClient Provider { get; } = provider;

        public InMemoryUsageLedger Ledger { get; } = ledger;

        public FakeTimeProvider Time { get; } = time;

        public IChatClient Chat => Services.GetRequiredService<IChatClient>();
    }

    protected Machine Build(Action<ResponseCacheOptions>? cache = null, Action<ILlmKitBuilder>? configure = null, FakeTimeProvider? time = null, params (string Key, string Value)[] settings)
    {
        time ??= new FakeTimeProvider(Start);
        var provider = new ScriptedChatClient(time);
        int answers = 0;
        provider.FallbackResponder = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, $"answer {Interlocked.Increment(ref answers)}"))
        {
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = Usage.InputTokenCount, OutputTokenCount = Usage.OutputTokenCount, TotalTokenCount = Usage.TotalTokenCount },
        };
        var ledger = new InMemoryUsageLedger();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IUsageLedger>(ledger);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        services.AddLlmKit(configuration, kit =>
        {
            kit.AddProvider("openai", _ => provider)
                .AddModel("smart", "openai", "gpt-4o")
                .UseDefaultModel("smart")
                .Configure(o =>
                {
                    o.ResponseCache.Mode = ResponseCacheMode.All;
                    cache?.Invoke(o.ResponseCache);
                });
            AddSecondLevel(kit);
            configure?.Invoke(kit);
        });
        return new Machine(services.BuildServiceProvider(), provider, ledger, time);
    }

    // A question unique to each test, so stores shared between tests (Redis, SQLite) never answer another test's request.
    private readonly string _question = "What is the capital of France? #" + Guid.NewGuid().ToString("N");

    protected string Question => _question;

    protected static ChatOptions Options(string tenant = "acme", ResponseCacheControl? cache = null, float? temperature = null)
        => new ChatOptions { Temperature = temperature }.WithLlmContext(new LlmRequestContext { TenantId = tenant, Cache = cache });

    [Fact]
    public async Task SecondIdenticalCall_IsAHit_AndTheProviderIsCalledOnce()
    {
        var machine = Build();

        var first = await machine.Chat.GetResponseAsync(Question, Options());
        var second = await machine.Chat.GetResponseAsync(Question, Options());

        Assert.Equal(1, machine.Provider.CallCount);
        Assert.Equal("answer 1", first.Text);
        Assert.Equal("answer 1", second.Text);
        Assert.False(first.AdditionalProperties?.ContainsKey(LlmKitResponseProperties.Cached) ?? false);
        Assert.Equal(true, second.AdditionalProperties?[LlmKitResponseProperties.Cached]);
    }

    [Fact]
    public async Task DifferentRequest_IsAMiss()
    {
        var machine = Build();

        await machine.Chat.GetResponseAsync(Question, Options());
        var other = await machine.Chat.GetResponseAsync(Question + " And of Spain?", Options());

        Assert.Equal(2, machine.Provider.CallCount);
        Assert.Equal("answer 2", other.Text);
    }

    [Fact]
    public async Task OtherTenant_NeverReadsTheFirstTenantsAnswer()
    {
        var machine = Build();

        await machine.Chat.GetResponseAsync(Question, Options("acme"));
        var globex = await machine.Chat.GetResponseAsync(Question, Options("globex"));
        var noTenant = await machine.Chat.GetResponseAsync(Question, new ChatOptions());
        var acmeAgain = await machine.Chat.GetResponseAsync(Question, Options("acme"));

        Assert.Equal("answer 2", globex.Text);
        Assert.Equal("answer 3", noTenant.Text);
        Assert.Equal("answer 1", acmeAgain.Text);
        Assert.Equal(3, machine.Provider.CallCount);
    }

    [Fact]
    public async Task Bypass_CallsTheProvider_AndStoresNothing()
    {
        var machine = Build();
        await machine.Chat.GetResponseAsync(Question, Options());

        var bypassed = await machine.Chat.GetResponseAsync(Question, Options(cache: new ResponseCacheControl { Bypass = true }));
        var after = await machine.Chat.GetResponseAsync(Question, Options());

        Assert.Equal("answer 2", bypassed.Text);
        Assert.Equal("answer 1", after.Text);
        Assert.Equal(2, machine.Provider.CallCount);
    }

    [Fact]
    public async Task Refresh_CallsTheProvider_AndReplacesTheStoredAnswer()
    {
        var machine = Build();
        await machine.Chat.GetResponseAsync(Question, Options());

        var refreshed = await machine.Chat.GetResponseAsync(Question, Options(cache: new ResponseCacheControl { Refresh = true }));
        var after = await machine.Chat.GetResponseAsync(Question, Options());

        Assert.Equal("answer 2", refreshed.Text);
        Assert.Equal("answer 2", after.Text);
        Assert.Equal(2, machine.Provider.CallCount);
    }

    [Fact]
    public async Task NoStore_IsNotStored_ButMayBeAnsweredFromTheCache()
    {
        var machine = Build();

        var unstored = await machine.Chat.GetResponseAsync(Question, Options(cache: new ResponseCacheControl { NoStore = true }));
        var stored = await machine.Chat.GetResponseAsync(Question, Options());
        var answeredNoStore = await machine.Chat.GetResponseAsync(Question, Options(cache: new ResponseCacheControl { NoStore = true }));

        Assert.Equal("answer 1", unstored.Text);
        Assert.Equal("answer 2", stored.Text);
        Assert.Equal("answer 2", answeredNoStore.Text);
        Assert.Equal(2, machine.Provider.CallCount);
    }

    [Fact]
    public async Task TimeToLive_ExpiresByThePipelinesClock()
    {
        var machine = Build(c => c.TimeToLive = TimeSpan.FromMinutes(10));
        await machine.Chat.GetResponseAsync(Question, Options());

        machine.Time.Advance(TimeSpan.FromMinutes(9));
        var before = await machine.Chat.GetResponseAsync(Question, Options());
        machine.Time.Advance(TimeSpan.FromMinutes(2));
        var after = await machine.Chat.GetResponseAsync(Question, Options());

        Assert.Equal("answer 1", before.Text);
        Assert.Equal("answer 2", after.Text);
    }

    [Fact]
    public async Task MaxAge_RefusesAnOlderAnswer()
    {
        var machine = Build();
        await machine.Chat.GetResponseAsync(Question, Options());
        machine.Time.Advance(TimeSpan.FromMinutes(5));

        var young = await machine.Chat.GetResponseAsync(Question, Options(cache: new ResponseCacheControl { MaxAge = TimeSpan.FromMinutes(10) }));
        var fresh = await machine.Chat.GetResponseAsync(Question, Options(cache: new ResponseCacheControl { MaxAge = TimeSpan.FromMinutes(1) }));

        Assert.Equal("answer 1", young.Text);
        Assert.Equal("answer 2", fresh.Text);
    }

    [Fact]
    public async Task ToolCallResponse_IsNeverStored()
    {
        var machine = Build();
        machine.Provider.ReturnsToolCall("get_weather", new Dictionary<string, object?> { ["city"] = "Paris" });

        var call = await machine.Chat.GetResponseAsync(Question, Options());
        var again = await machine.Chat.GetResponseAsync(Question, Options());

        Assert.Contains(call.Messages.SelectMany(m => m.Contents), c => c is FunctionCallContent);
        Assert.Equal("answer 1", again.Text);
        Assert.Equal(2, machine.Provider.CallCount);
    }

    [Fact]
    public async Task TruncatedStream_IsNeverStored()
    {
        var machine = Build();
        machine.Provider.StreamsThenFails(["Par", "is"], new InvalidOperationException("the provider cut the stream"));

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var _ in machine.Chat.GetStreamingResponseAsync(Question, Options()))
            {
            }
        });
        var complete = await Collect(machine.Chat.GetStreamingResponseAsync(Question, Options()));

        Assert.Equal("answer 1", string.Concat(complete.Select(u => u.Text)));
        Assert.Equal(2, machine.Provider.CallCount);
    }

    [Fact]
    public async Task AbandonedStream_IsNeverStored()
    {
        var machine = Build();
        machine.Provider.StreamsChunks(["Par", "is", " is", " the", " capital"], usage: Usage);

        await foreach (var _ in machine.Chat.GetStreamingResponseAsync(Question, Options()))
        {
            break;
        }

        var complete = await Collect(machine.Chat.GetStreamingResponseAsync(Question, Options()));

        Assert.Equal("answer 1", string.Concat(complete.Select(u => u.Text)));
        Assert.Equal(2, machine.Provider.CallCount);
    }

    [Fact]
    public async Task StreamHit_ReplaysTheOriginalChunks_UsageLast()
    {
        var machine = Build();
        machine.Provider.StreamsChunks(["Par", "is", " is", " the", " capital"], usage: Usage);

        var original = await Collect(machine.Chat.GetStreamingResponseAsync(Question, Options()));
        var replay = await Collect(machine.Chat.GetStreamingResponseAsync(Question, Options()));

        Assert.Equal(1, machine.Provider.CallCount);
        Assert.Equal(original.Select(u => u.Text), replay.Select(u => u.Text));
        Assert.Equal(["Par", "is", " is", " the", " capital", ""], replay.Select(u => u.Text));
        Assert.Equal(original.Select(u => u.FinishReason), replay.Select(u => u.FinishReason));
        var usage = Assert.IsType<UsageContent>(Assert.Single(replay[^1].Contents));
        Assert.Equal(1_000, usage.Details.InputTokenCount);
        Assert.Equal(500, usage.Details.OutputTokenCount);
        Assert.All(replay, u => Assert.Equal(true, u.AdditionalProperties?[LlmKitResponseProperties.Cached]));
    }

    [Fact]
    public async Task HundredConcurrentIdenticalRequests_MakeOneProviderCall()
    {
        var machine = Build();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var provider = machine.Provider;
        var chat = machine.Chat;

        var calls = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            await gate.Task;
            return await chat.GetResponseAsync(Question, Options());
        })).ToArray();
        gate.SetResult();
        var responses = await Task.WhenAll(calls);

        Assert.Equal(1, provider.CallCount);
        Assert.All(responses, r => Assert.Equal("answer 1", r.Text));
        var totals = await machine.Ledger.GetTotalsAsync(new UsageQuery());
        Assert.Equal(100, totals.Calls);
        Assert.Equal(99, totals.CacheHits);
    }

    [Fact]
    public async Task ConcurrentIdenticalStreams_MakeOneProviderCall_AndAllGetTheWholeAnswer()
    {
        var machine = Build();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var chat = machine.Chat;

        var streams = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            await gate.Task;
            return string.Concat((await Collect(chat.GetStreamingResponseAsync(Question, Options()))).Select(u => u.Text));
        })).ToArray();
        gate.SetResult();
        var texts = await Task.WhenAll(streams);

        Assert.Equal(1, machine.Provider.CallCount);
        Assert.All(texts, t => Assert.Equal("answer 1", t));
    }

    [Fact]
    public async Task Hit_WritesACacheHitRecord_WithNoCost_AndTheSavedCost()
    {
        var machine = Build();

        await machine.Chat.GetResponseAsync(Question, Options());
        var hit = await machine.Chat.GetResponseAsync(Question, new ChatOptions().WithLlmContext(new LlmRequestContext { TenantId = "acme", RequestId = "hit-1" }));

        // gpt-4o: 1,000 input x 2.50 + 500 output x 10 per million = 0.0075 USD.
        Assert.Equal(0.0075m, hit.AdditionalProperties?[LlmKitResponseProperties.SavedCostUsd]);
        var totals = await machine.Ledger.GetTotalsAsync(new UsageQuery());
        Assert.Equal(2, totals.Calls);
        Assert.Equal(1, totals.CacheHits);
        Assert.Equal(0, totals.Failures);
        Assert.Equal(0.0075m, totals.KnownCostUsd);
        Assert.Equal(0.0075m, totals.SavedCostUsd);
        Assert.Equal(1_000, totals.InputTokens);
    }

    [Fact]
    public async Task Hit_IsNotChargedToBudgets()
    {
        var machine = Build(configure: kit => kit.AddBudget(new BudgetDefinition { Id = "daily", Scope = new BudgetScope(BudgetScopeKind.Tenant, "*"), Limit = 1m, Period = BudgetPeriod.Day }));
        var budgets = machine.Services.GetRequiredService<IBudgetManager>();
        var acme = new LlmRequestContext { TenantId = "acme" };

        await machine.Chat.GetResponseAsync(Question, Options());
        var afterMiss = Assert.Single(await budgets.GetStatusAsync(acme)).Spent;
        await machine.Chat.GetResponseAsync(Question, Options());
        var afterHit = Assert.Single(await budgets.GetStatusAsync(acme)).Spent;

        Assert.Equal(0.0075m, afterMiss);
        Assert.Equal(afterMiss, afterHit);
    }

    [Fact]
    public async Task DeterministicOnly_CachesTemperatureZero_NotSampledRequests()
    {
        var machine = Build(c => c.Mode = ResponseCacheMode.DeterministicOnly);

        await machine.Chat.GetResponseAsync(Question, Options(temperature: 0.7f));
        var sampled = await machine.Chat.GetResponseAsync(Question, Options(temperature: 0.7f));
        await machine.Chat.GetResponseAsync(Question, Options(temperature: 0f));
        var deterministic = await machine.Chat.GetResponseAsync(Question, Options(temperature: 0f));

        Assert.Equal("answer 2", sampled.Text);
        Assert.Equal("answer 3", deterministic.Text);
        Assert.Equal(3, machine.Provider.CallCount);
    }

    [Fact]
    public async Task ModeOffForTheModel_AndOnForOneRequest()
    {
        var machine = Build(c => c.Models["smart"] = new ResponseCacheModelOptions { Mode = ResponseCacheMode.Off });

        await machine.Chat.GetResponseAsync(Question, Options());
        var off = await machine.Chat.GetResponseAsync(Question, Options());
        var on = new ResponseCacheControl { Mode = ResponseCacheMode.All };
        await machine.Chat.GetResponseAsync(Question, Options(cache: on));
        var requestOn = await machine.Chat.GetResponseAsync(Question, Options(cache: on));

        Assert.Equal("answer 2", off.Text);
        Assert.Equal("answer 3", requestOn.Text);
    }

    [Fact]
    public async Task InvalidateModelAndTenant_RemoveTheirAnswers()
    {
        var machine = Build();
        var cache = machine.Services.GetRequiredService<LlmResponseCache>();
        await machine.Chat.GetResponseAsync(Question, Options("acme"));
        await machine.Chat.GetResponseAsync(Question, Options("globex"));

        await cache.InvalidateTenantAsync("acme");
        var acme = await machine.Chat.GetResponseAsync(Question, Options("acme"));
        var globex = await machine.Chat.GetResponseAsync(Question, Options("globex"));
        await cache.InvalidateModelAsync("smart");
        var globexAfterModel = await machine.Chat.GetResponseAsync(Question, Options("globex"));

        Assert.Equal("answer 3", acme.Text);
        Assert.Equal("answer 2", globex.Text);
        Assert.Equal("answer 4", globexAfterModel.Text);
    }

    [Fact]
    public async Task SecondMachine_IsAnsweredThroughTheSecondLevel_WhenItIsShared_NeverForAnotherTenant()
    {
        var first = Build();
        var second = Build();

        await first.Chat.GetResponseAsync(Question, Options());
        await second.Chat.GetResponseAsync(Question, Options());
        int afterSameTenant = second.Provider.CallCount;
        await second.Chat.GetResponseAsync(Question, Options("globex"));

        Assert.Equal(SharesAcrossMachines ? 0 : 1, afterSameTenant);
        Assert.Equal(afterSameTenant + 1, second.Provider.CallCount);
    }

    [Fact]
    public async Task SameRequestBuiltTwoWays_IsAHit_WhateverTheRequestIdAndApiKey()
    {
        var machine = Build();
        var oneWay = new ChatOptions { StopSequences = ["END", "STOP"], AdditionalProperties = new() { ["a"] = 1, ["b"] = "x" } }
            .WithLlmContext(new LlmRequestContext { TenantId = "acme", RequestId = "r-1", ApiKeyId = "key-1", UserId = "ann" });
        var otherWay = new ChatOptions { AdditionalProperties = new() { ["b"] = "x", ["a"] = 1 } }
            .WithLlmContext(new LlmRequestContext { TenantId = "acme", RequestId = "r-2", ApiKeyId = "key-2", UserId = "bob" });
        otherWay.StopSequences = ["STOP", "END"];

        await machine.Chat.GetResponseAsync([new ChatMessage(ChatRole.User, Question)], oneWay);
        var second = await machine.Chat.GetResponseAsync([new ChatMessage(ChatRole.User, [new TextContent(Question[..10]), new TextContent(Question[10..])])], otherWay);

        Assert.Equal("answer 1", second.Text);
        Assert.Equal(1, machine.Provider.CallCount);
    }

    [Fact]
    public async Task OptionsThatChangeTheOutput_AreMisses()
    {
        var machine = Build();

        await machine.Chat.GetResponseAsync(Question, Options(temperature: 0f));
        var warmer = await machine.Chat.GetResponseAsync(Question, Options(temperature: 0.5f));
        var json = Options(temperature: 0f);
        json.ResponseFormat = ChatResponseFormat.Json;
        var asJson = await machine.Chat.GetResponseAsync(Question, json);
        var shorter = Options(temperature: 0f);
        shorter.MaxOutputTokens = 10;
        var limited = await machine.Chat.GetResponseAsync(Question, shorter);
        var system = await machine.Chat.GetResponseAsync([new ChatMessage(ChatRole.System, "Answer in French."), new ChatMessage(ChatRole.User, Question)], Options(temperature: 0f));

        Assert.Equal(["answer 2", "answer 3", "answer 4", "answer 5"], new[] { warmer.Text, asJson.Text, limited.Text, system.Text });
    }

    [Fact]
    public async Task ScopeByUser_KeepsUsersApart_OtherwiseTheyShare()
    {
        var shared = Build();
        var perUser = Build(c => c.ScopeByUser = true);
        ChatOptions As(string user) => new ChatOptions().WithLlmContext(new LlmRequestContext { TenantId = "acme-" + GetHashCode(), UserId = user });

        await shared.Chat.GetResponseAsync(Question + " shared", As("ann"));
        var sharedBob = await shared.Chat.GetResponseAsync(Question + " shared", As("bob"));
        await perUser.Chat.GetResponseAsync(Question + " per user", As("ann"));
        var perUserBob = await perUser.Chat.GetResponseAsync(Question + " per user", As("bob"));

        Assert.Equal(1, shared.Provider.CallCount);
        Assert.Equal("answer 1", sharedBob.Text);
        Assert.Equal(2, perUser.Provider.CallCount);
        Assert.Equal("answer 2", perUserBob.Text);
    }

    [Fact]
    public async Task AnonymisedInput_IsNeverStored_SoNoOnesRestoredPiiIsKept()
    {
        // The input guard turns both addresses into the same surrogate ([EMAIL_1]): a stored answer would serve ann's
        // restored address to bob. Such requests are neither looked up nor stored.
        var machine = Build(settings: [("LlmKit:Safety:Input:Rules:EMAIL:Action", "Anonymize")]);
        machine.Provider.FallbackResponder = (messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "Mail sent to " + messages.Last().Text.Split(' ')[^1])) { FinishReason = ChatFinishReason.Stop };

        var ann = await machine.Chat.GetResponseAsync("Send the report to ann@example.com", Options());
        var bob = await machine.Chat.GetResponseAsync("Send the report to bob@example.com", Options());
        var annAgain = await machine.Chat.GetResponseAsync("Send the report to ann@example.com", Options());

        Assert.Equal("Mail sent to ann@example.com", ann.Text);
        Assert.Equal("Mail sent to bob@example.com", bob.Text);
        Assert.Equal("Mail sent to ann@example.com", annAgain.Text);
        Assert.Equal(3, machine.Provider.CallCount);
    }

    [Fact]
    public async Task CacheRequestsMetric_CountsHitsAndMisses()
    {
        string model = "metric-" + Guid.NewGuid().ToString("N");
        var machine = Build(configure: kit => kit.AddModel(model, "openai", "gpt-4o"));
        var results = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == LlmKitTelemetry.MeterName && instrument.Name == "llmkit.cache.requests")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? result = null;
            bool ours = false;
            foreach (var tag in tags)
            {
                result = tag.Key == "llmkit.cache.result" ? tag.Value as string : result;
                ours |= tag.Key == "gen_ai.request.model" && Equals(tag.Value, model);
            }

            if (ours)
            {
                lock (results)
                {
                    results.Add(result + ":" + value);
                }
            }
        });
        listener.Start();

        var options = Options();
        options.ModelId = model;
        await machine.Chat.GetResponseAsync(Question, options);
        await machine.Chat.GetResponseAsync(Question, options);
        await machine.Chat.GetResponseAsync(Question, options);

        Assert.Equal(["miss:1", "hit:1", "hit:1"], results);
    }

    private static async Task<List<ChatResponseUpdate>> Collect(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in stream)
        {
            updates.Add(update);
        }

        return updates;
    }
}
