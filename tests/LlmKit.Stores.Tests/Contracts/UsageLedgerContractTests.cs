namespace LlmKit.Stores.Tests.Contracts;

/// <summary>
/// The behaviour every <see cref="IUsageLedger"/> must have. A ledger joins the suite with one subclass that returns
/// a fresh, empty ledger from <see cref="CreateLedgerAsync"/>.
/// </summary>
public abstract class UsageLedgerContractTests
{
    protected static readonly DateTimeOffset Noon = new(2026, 4, 10, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<IUsageLedger> CreateLedgerAsync();

    protected static UsageRecord Record(
        string id,
        DateTimeOffset at,
        string? tenant = null,
        string? user = null,
        string? model = null,
        long input = 0,
        long output = 0,
        decimal? cost = null,
        CallOutcome outcome = CallOutcome.Success,
        IReadOnlyDictionary<string, string>? tags = null,
        string? apiKey = null,
        string? conversation = null,
        string? deployment = null,
        string? template = null,
        long cached = 0,
        long reasoning = 0)
        => new()
        {
            RequestId = id,
            Timestamp = at,
            TenantId = tenant,
            UserId = user,
            LogicalModel = model,
            ApiKeyId = apiKey,
            ConversationId = conversation,
            Deployment = deployment,
            TemplateId = template,
            InputTokens = input,
            OutputTokens = output,
            CachedInputTokens = cached,
            ReasoningTokens = reasoning,
            Cost = cost is { } c ? new CallCost { Total = c, Items = [new CostItem("input", input, 1m, c)] } : CallCost.Unknown("no price"),
            Outcome = outcome,
            FailureKind = outcome == CallOutcome.Failure ? LlmFailureKind.ServerError : null,
            Latency = TimeSpan.FromMilliseconds(250),
            Tags = tags ?? new Dictionary<string, string>(),
        };

    [Fact]
    public async Task RecordAsync_IdentifierOrTagWithNul_ThrowsArgumentExceptionNamingTheFieldAndRecordsNothing()
    {
        var ledger = await CreateLedgerAsync();
        var cases = new (string Field, UsageRecord Record)[]
        {
            ("request id", Record("r\01", Noon)),
            ("tenant id", Record("r1", Noon, tenant: "ac\0me")),
            ("user id", Record("r1", Noon, user: "u\0")),
            ("API key id", Record("r1", Noon, apiKey: "k\0")),
            ("conversation id", Record("r1", Noon, conversation: "c\0")),
            ("logical model", Record("r1", Noon, model: "m\0")),
            ("deployment", Record("r1", Noon, deployment: "d\0")),
            ("template id", Record("r1", Noon, template: "t\0")),
            ("response model", Record("r1", Noon) with { ResponseModel = "gpt\0" }),
            ("provider", Record("r1", Noon) with { Provider = "p\0" }),
            ("usage tag key", Record("r1", Noon, tags: new Dictionary<string, string> { ["te\0am"] = "a" })),
            ("usage tag value", Record("r1", Noon, tags: new Dictionary<string, string> { ["team"] = "a\0" })),
        };

        foreach (var (field, record) in cases)
        {
            var ex = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await ledger.RecordAsync(record));
            Assert.Contains($"The {field} contains a NUL character", ex.Message, StringComparison.Ordinal);
        }

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await ledger.GetTotalsAsync(new UsageQuery { Scope = BudgetScope.Tenant("a\0") }));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await ledger.GetTopAsync(new UsageQuery { Scope = BudgetScope.Custom("team=a\0") }, UsageGrouping.User, 3));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await ledger.GetTimeSeriesAsync(new UsageQuery { Scope = BudgetScope.User("u\0") }, UsageInterval.Hour));
        Assert.Equal(0, (await ledger.GetTotalsAsync(new UsageQuery())).Calls);
        // The same record without the NUL characters is stored.
        Assert.True(await ledger.RecordAsync(Record("r1", Noon, tenant: "acme", tags: new Dictionary<string, string> { ["team"] = "a" })));
        Assert.Equal(1, (await ledger.GetTotalsAsync(new UsageQuery { Scope = BudgetScope.Custom("team=a") })).Calls);
    }

    [Fact]
    public async Task RecordAsync_CostAboveWhatTheLedgersKeep_ThrowsNamingTheRequestAndRecordsNothing()
    {
        var ledger = await CreateLedgerAsync();

        // 10^12 USD: SQLite's 64-bit units of 10^-10 USD end at about 9.2 * 10^8 USD, so every ledger refuses it.
        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await ledger.RecordAsync(Record("r1", Noon, input: 5, cost: 1_000_000_000_000m)));
        bool stored = await ledger.RecordAsync(Record("r2", Noon, input: 5, cost: 900_000_000m));

        Assert.Contains("request 'r1'", ex.Message, StringComparison.Ordinal);
        Assert.True(stored);
        var totals = await ledger.GetTotalsAsync(new UsageQuery());
        Assert.Equal(1, totals.Calls);
        Assert.Equal(900_000_000m, totals.KnownCostUsd);
    }

    [Theory]
    [InlineData("InputTokens")]
    [InlineData("OutputTokens")]
    [InlineData("CachedInputTokens")]
    [InlineData("ReasoningTokens")]
    [InlineData("CacheWriteTokens")]
    public async Task RecordAsync_NegativeTokenCount_ThrowsNamingTheFieldAndRecordsNothing(string field)
    {
        var ledger = await CreateLedgerAsync();
        var record = Record("r1", Noon, input: 5, output: 5);
        record = field switch
        {
            "InputTokens" => record with { InputTokens = -1_000_000 },
            "OutputTokens" => record with { OutputTokens = -1 },
            "CachedInputTokens" => record with { CachedInputTokens = -1 },
            "ReasoningTokens" => record with { ReasoningTokens = -1 },
            _ => record with { CacheWriteTokens = -1 },
        };

        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await ledger.RecordAsync(record));

        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await ledger.GetTotalsAsync(new UsageQuery())).Calls);
    }

    [Fact]
    public async Task RecordAsync_SameRequestIdTwice_IsCountedOnce()
    {
        var ledger = await CreateLedgerAsync();

        bool first = await ledger.RecordAsync(Record("r1", Noon, input: 10, cost: 0.1m));
        bool second = await ledger.RecordAsync(Record("r1", Noon, input: 999, cost: 9m));

        Assert.True(first);
        Assert.False(second);
        var totals = await ledger.GetTotalsAsync(new UsageQuery());
        Assert.Equal(1, totals.Calls);
        Assert.Equal(10, totals.InputTokens);
        Assert.Equal(0.1m, totals.KnownCostUsd);
    }

    [Fact]
    public async Task RecordAsync_200ConcurrentWritersWithRetries_CountsEachRequestOnce()
    {
        var ledger = await CreateLedgerAsync();
        using var gate = new ManualResetEventSlim(false);

        var writers = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            gate.Wait();
            var record = Record($"r{i}", Noon.AddSeconds(i), tenant: "acme", input: 3, output: 2, cost: 0.001m);
            bool a = await ledger.RecordAsync(record);
            bool b = await ledger.RecordAsync(record);
            return (a ? 1 : 0) + (b ? 1 : 0);
        })).ToArray();
        gate.Set();
        int[] stored = await Task.WhenAll(writers);

        Assert.All(stored, s => Assert.Equal(1, s));
        var totals = await ledger.GetTotalsAsync(new UsageQuery { Scope = BudgetScope.Tenant("acme") });
        Assert.Equal(200, totals.Calls);
        Assert.Equal(600, totals.InputTokens);
        Assert.Equal(0.2m, totals.KnownCostUsd);
    }

    [Fact]
    public async Task GetTotalsAsync_CacheHits_AreCountedWithTheirSavings_AndAreNotFailures()
    {
        var ledger = await CreateLedgerAsync();
        await ledger.RecordAsync(Record("r1", Noon, tenant: "acme", model: "smart", input: 1000, output: 500, cost: 0.0075m));
        await ledger.RecordAsync(Record("r2", Noon.AddMinutes(1), tenant: "acme", model: "smart", cost: 0m, outcome: CallOutcome.CacheHit) with { SavedCostUsd = 0.0075m });
        await ledger.RecordAsync(Record("r3", Noon.AddMinutes(2), tenant: "acme", model: "smart", cost: 0m, outcome: CallOutcome.CacheHit) with { SavedCostUsd = 0.0075m });
        await ledger.RecordAsync(Record("r4", Noon.AddMinutes(3), tenant: "acme", model: "other", cost: 0m, outcome: CallOutcome.CacheHit));
        await ledger.RecordAsync(Record("r5", Noon.AddMinutes(4), tenant: "acme", model: "smart", cost: null, outcome: CallOutcome.Failure) with { SavedCostUsd = 9m });

        var totals = await ledger.GetTotalsAsync(new UsageQuery { Scope = BudgetScope.Tenant("acme") });
        var top = await ledger.GetTopAsync(new UsageQuery(), UsageGrouping.Model, 5);

        Assert.Equal(5, totals.Calls);
        Assert.Equal(1, totals.Failures);
        Assert.Equal(3, totals.CacheHits);
        Assert.Equal(0.015m, totals.SavedCostUsd);
        Assert.Equal(0.0075m, totals.KnownCostUsd);
        var smart = Assert.Single(top, t => t.Key == "smart").Value;
        Assert.Equal(2, smart.CacheHits);
        Assert.Equal(0.015m, smart.SavedCostUsd);
    }

    [Fact]
    public async Task GetTotalsAsync_ScopeAndWindow_SumsOnlyTheSelectedRecords()
    {
        var ledger = await CreateLedgerAsync();
        await ledger.RecordAsync(Record("r1", Noon, tenant: "acme", user: "u1", input: 100, output: 10, cost: 0.25m, cached: 40, reasoning: 4));
        await ledger.RecordAsync(Record("r2", Noon.AddMinutes(30), tenant: "acme", user: "u2", input: 200, output: 20, cost: null, outcome: CallOutcome.Failure));
        await ledger.RecordAsync(Record("r3", Noon.AddHours(2), tenant: "acme", user: "u1", input: 300, output: 30, cost: 0.5m));
        await ledger.RecordAsync(Record("r4", Noon.AddMinutes(10), tenant: "globex", user: "u1", input: 1000, output: 100, cost: 2m));

        var window = await ledger.GetTotalsAsync(new UsageQuery { From = Noon, To = Noon.AddHours(2), Scope = BudgetScope.Tenant("acme") });
        var user = await ledger.GetTotalsAsync(new UsageQuery { Scope = BudgetScope.User("u1") });
        var everything = await ledger.GetTotalsAsync(new UsageQuery());

        Assert.Equal(new UsageTotals { Calls = 2, Failures = 1, InputTokens = 300, OutputTokens = 30, CachedInputTokens = 40, ReasoningTokens = 4, KnownCostUsd = 0.25m, UnknownCostCalls = 1, TotalLatency = TimeSpan.FromMilliseconds(500) }, window);
        Assert.Equal(3, user.Calls);
        Assert.Equal(1400, user.InputTokens);
        Assert.Equal(2.75m, user.KnownCostUsd);
        Assert.Equal(4, everything.Calls);
        Assert.Equal(2.75m, everything.KnownCostUsd);
        Assert.Equal(new UsageTotals { TotalLatency = TimeSpan.Zero }, await ledger.GetTotalsAsync(new UsageQuery { Scope = BudgetScope.Tenant("nobody") }));
    }

    [Fact]
    public async Task GetTotalsAsync_ModelKeyConversationAndCustomScopes_MatchTheirRecords()
    {
        var ledger = await CreateLedgerAsync();
        await ledger.RecordAsync(Record("r1", Noon, model: "GPT-4o", apiKey: "k1", conversation: "c1", input: 1, cost: 1m, tags: new Dictionary<string, string> { ["project"] = "apollo" }));
        await ledger.RecordAsync(Record("r2", Noon, model: "gpt-4o-mini", apiKey: "k2", conversation: "c1", input: 2, cost: 2m, tags: new Dictionary<string, string> { ["project"] = "gemini" }));
        await ledger.RecordAsync(Record("r3", Noon, model: "gpt-4o", apiKey: "k1", input: 4, cost: 4m));

        Assert.Equal(5, (await ledger.GetTotalsAsync(new UsageQuery { Scope = BudgetScope.Model("gpt-4o") })).InputTokens);
        Assert.Equal(5, (await ledger.GetTotalsAsync(new UsageQuery { Scope = BudgetScope.ApiKey("k1") })).InputTokens);
        Assert.Equal(3, (await ledger.GetTotalsAsync(new UsageQuery { Scope = BudgetScope.Conversation("c1") })).InputTokens);
        Assert.Equal(1, (await ledger.GetTotalsAsync(new UsageQuery { Scope = new BudgetScope(BudgetScopeKind.Custom, "project=apollo") })).InputTokens);
        Assert.Equal(0, (await ledger.GetTotalsAsync(new UsageQuery { Scope = new BudgetScope(BudgetScopeKind.Custom, "project") })).Calls);
    }

    [Fact]
    public async Task GetTopAsync_GroupsByKey_BiggestCostFirstThenCallsThenKeyAndSkipsMissingKeys()
    {
        var ledger = await CreateLedgerAsync();
        await ledger.RecordAsync(Record("r1", Noon, tenant: "b", cost: 1m));
        await ledger.RecordAsync(Record("r2", Noon, tenant: "b", cost: 1m));
        await ledger.RecordAsync(Record("r3", Noon, tenant: "a", cost: 2m));
        await ledger.RecordAsync(Record("r4", Noon, tenant: "c", cost: 2m));
        await ledger.RecordAsync(Record("r5", Noon, tenant: "d", cost: 0.5m));
        await ledger.RecordAsync(Record("r6", Noon, tenant: "d", cost: null));
        await ledger.RecordAsync(Record("r7", Noon, tenant: null, cost: 100m));

        var top = await ledger.GetTopAsync(new UsageQuery(), UsageGrouping.Tenant, 3);
        var all = await ledger.GetTopAsync(new UsageQuery(), UsageGrouping.Tenant, 10);

        // a, b and c each cost 2 USD; b has two calls, so it comes first; a before c by key.
        Assert.Equal(["b", "a", "c"], top.Select(kv => kv.Key));
        Assert.Equal(2, top[0].Value.Calls);
        Assert.Equal(["b", "a", "c", "d"], all.Select(kv => kv.Key));
        Assert.Equal(1, all[3].Value.UnknownCostCalls);
        Assert.Equal(0.5m, all[3].Value.KnownCostUsd);
    }

    [Fact]
    public async Task GetTopAsync_EveryGrouping_UsesItsField()
    {
        var ledger = await CreateLedgerAsync();
        await ledger.RecordAsync(Record("r1", Noon, tenant: "t", user: "u", model: "m", apiKey: "k", conversation: "c", deployment: "d", template: "p", cost: 1m));

        foreach (var (grouping, key) in new[] { (UsageGrouping.Tenant, "t"), (UsageGrouping.User, "u"), (UsageGrouping.Model, "m"), (UsageGrouping.ApiKey, "k"), (UsageGrouping.Conversation, "c"), (UsageGrouping.Deployment, "d"), (UsageGrouping.Template, "p") })
        {
            Assert.Equal(key, Assert.Single(await ledger.GetTopAsync(new UsageQuery(), grouping, 5)).Key);
        }
    }

    [Fact]
    public async Task GetTimeSeriesAsync_HourAndDay_BucketsInUtcWithoutEmptyOnes()
    {
        var ledger = await CreateLedgerAsync();
        await ledger.RecordAsync(Record("r1", Noon.AddMinutes(5), input: 1, cost: 0.1m));
        await ledger.RecordAsync(Record("r2", Noon.AddMinutes(59), input: 2, cost: 0.2m));
        await ledger.RecordAsync(Record("r3", Noon.AddHours(3), input: 4, cost: 0.4m));
        await ledger.RecordAsync(Record("r4", new DateTimeOffset(2026, 4, 11, 1, 30, 0, TimeSpan.FromHours(2)), input: 8, cost: 0.8m));

        var hours = await ledger.GetTimeSeriesAsync(new UsageQuery(), UsageInterval.Hour);
        var days = await ledger.GetTimeSeriesAsync(new UsageQuery(), UsageInterval.Day);

        Assert.Equal([Noon, Noon.AddHours(3), new DateTimeOffset(2026, 4, 10, 23, 0, 0, TimeSpan.Zero)], hours.Select(kv => kv.Key));
        Assert.Equal([3L, 4, 8], hours.Select(kv => kv.Value.InputTokens));
        Assert.Equal([new DateTimeOffset(2026, 4, 10, 0, 0, 0, TimeSpan.Zero)], days.Select(kv => kv.Key));
        Assert.Equal(15, days[0].Value.InputTokens);
        Assert.Equal(1.5m, days[0].Value.KnownCostUsd);
    }

    [Fact]
    public async Task Methods_BadInput_ThrowArgumentExceptions()
    {
        var ledger = await CreateLedgerAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await ledger.RecordAsync(null!));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await ledger.RecordAsync(Record(" ", Noon)));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await ledger.GetTotalsAsync(null!));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await ledger.GetTopAsync(new UsageQuery(), UsageGrouping.Tenant, 0));
    }

    [Fact]
    public async Task RecordAsync_IdentifierWithLoneSurrogate_ThrowsArgumentExceptionNamingTheFieldAndRecordsNothing()
    {
        var ledger = await CreateLedgerAsync();
        var cases = new (string Field, UsageRecord Record)[]
        {
            ("request id", Record("r\uD800", Noon)),
            ("tenant id", Record("r1", Noon, tenant: "acme\uDC00")),
            ("user id", Record("r1", Noon, user: "\uDC00u")),
            ("conversation id", Record("r1", Noon, conversation: "c\uD800")),
            ("template id", Record("r1", Noon, template: "t\uDFFF")),
            ("usage tag value", Record("r1", Noon, tags: new Dictionary<string, string> { ["team"] = "a\uD800" })),
        };

        foreach (var (field, record) in cases)
        {
            var ex = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await ledger.RecordAsync(record));
            Assert.Contains($"The {field} is not well-formed UTF-16", ex.Message, StringComparison.Ordinal);
        }

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await ledger.GetTotalsAsync(new UsageQuery { Scope = BudgetScope.Tenant("a\uD800") }));
        Assert.Equal(0, (await ledger.GetTotalsAsync(new UsageQuery())).Calls);
    }
}
