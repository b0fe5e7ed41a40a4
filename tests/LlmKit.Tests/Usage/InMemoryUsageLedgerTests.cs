namespace LlmKit.Tests.Usage;

public class InMemoryUsageLedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 10, 15, 0, TimeSpan.Zero);

    private static UsageRecord Record(string id, DateTimeOffset at, string tenant, string model, decimal? cost, long input = 100, long output = 10, CallOutcome outcome = CallOutcome.Success)
        => new()
        {
            RequestId = id,
            Timestamp = at,
            TenantId = tenant,
            UserId = "u-" + tenant,
            LogicalModel = model,
            InputTokens = input,
            OutputTokens = output,
            Cost = cost is null ? CallCost.Unknown("no price") : new CallCost { Total = cost },
            Outcome = outcome,
            Tags = new Dictionary<string, string> { ["project"] = "p1" },
        };

    [Fact]
    public async Task RecordAsync_SameRequestIdTwice_CountsOnce()
    {
        var ledger = new InMemoryUsageLedger();

        Assert.True(await ledger.RecordAsync(Record("r1", T0, "a", "smart", 1m)));
        Assert.False(await ledger.RecordAsync(Record("r1", T0, "a", "smart", 5m)));

        var totals = await ledger.GetTotalsAsync(new UsageQuery());
        Assert.Equal(1, totals.Calls);
        Assert.Equal(1m, totals.KnownCostUsd);
    }

    [Fact]
    public async Task RecordAsync_HexRequestIds_AreIdempotentAndTellApartIdsThatDifferInCaseOrLength()
    {
        var ledger = new InMemoryUsageLedger();
        const string Hex = "0123456789abcdef0123456789abcdef";

        Assert.True(await ledger.RecordAsync(Record(Hex, T0, "a", "m", 1m)));
        Assert.False(await ledger.RecordAsync(Record(Hex, T0, "a", "m", 1m)));
        Assert.True(await ledger.RecordAsync(Record(Hex.ToUpperInvariant(), T0, "a", "m", 1m)));
        Assert.True(await ledger.RecordAsync(Record("0" + Hex[..31], T0, "a", "m", 1m)));
        Assert.True(await ledger.RecordAsync(Record(Hex[..31], T0, "a", "m", 1m)));
        Assert.False(await ledger.RecordAsync(Record(Hex.ToUpperInvariant(), T0, "a", "m", 1m)));

        Assert.Equal(4, ledger.Count);
        Assert.Equal(4, (await ledger.GetTotalsAsync(new UsageQuery())).Calls);
    }

    [Fact]
    public async Task RecordAsync_BeyondMaxRecords_ADroppedIdCanBeRecordedAgain()
    {
        var ledger = new InMemoryUsageLedger(maxRecords: 2);

        await ledger.RecordAsync(Record("r0", T0, "a", "m", 1m));
        await ledger.RecordAsync(Record("r1", T0, "a", "m", 1m));
        await ledger.RecordAsync(Record("r2", T0, "a", "m", 1m));

        Assert.False(await ledger.RecordAsync(Record("r2", T0, "a", "m", 1m)));
        Assert.True(await ledger.RecordAsync(Record("r0", T0, "a", "m", 5m)));
        Assert.Equal(2, ledger.Count);
        Assert.Equal(6m, (await ledger.GetTotalsAsync(new UsageQuery())).KnownCostUsd); // r2 (1) and the new r0 (5)
    }

    [Fact]
    public async Task RecordAsync_ConcurrentDuplicates_StoreExactlyOnePerId()
    {
        var ledger = new InMemoryUsageLedger();

        var results = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(async () => await ledger.RecordAsync(Record("r" + (i % 100), T0, "a", "m", 1m)))));

        Assert.Equal(100, results.Count(r => r));
        Assert.Equal(100, (await ledger.GetTotalsAsync(new UsageQuery())).Calls);
    }

    [Fact]
    public async Task GetTotalsAsync_ScopeAndWindow_SumOnlyMatchingRecordsAndCountUnknownCosts()
    {
        var ledger = new InMemoryUsageLedger();
        await ledger.RecordAsync(Record("1", T0, "acme", "smart", 0.5m));
        await ledger.RecordAsync(Record("2", T0.AddMinutes(5), "acme", "smart", null));
        await ledger.RecordAsync(Record("3", T0.AddMinutes(10), "acme", "fast", 0.25m, outcome: CallOutcome.Failure));
        await ledger.RecordAsync(Record("4", T0.AddHours(2), "acme", "smart", 1m));
        await ledger.RecordAsync(Record("5", T0, "other", "smart", 7m));

        var totals = await ledger.GetTotalsAsync(new UsageQuery { Scope = BudgetScope.Tenant("acme"), From = T0, To = T0.AddHours(1) });

        Assert.Equal(3, totals.Calls);
        Assert.Equal(1, totals.Failures);
        Assert.Equal(0.75m, totals.KnownCostUsd);
        Assert.Equal(1, totals.UnknownCostCalls);
        Assert.Equal(300, totals.InputTokens);
        Assert.Equal(1, (await ledger.GetTotalsAsync(new UsageQuery { Scope = BudgetScope.Model("FAST") })).Calls);
        Assert.Equal(5, (await ledger.GetTotalsAsync(new UsageQuery { Scope = new BudgetScope(BudgetScopeKind.Custom, "project=p1") })).Calls);
    }

    [Fact]
    public async Task GetTopAsync_ByTenant_OrdersByKnownCost()
    {
        var ledger = new InMemoryUsageLedger();
        await ledger.RecordAsync(Record("1", T0, "small", "m", 0.1m));
        await ledger.RecordAsync(Record("2", T0, "big", "m", 3m));
        await ledger.RecordAsync(Record("3", T0, "big", "m", 2m));
        await ledger.RecordAsync(Record("4", T0, "medium", "m", 1m));

        var top = await ledger.GetTopAsync(new UsageQuery(), UsageGrouping.Tenant, 2);

        Assert.Equal(["big", "medium"], top.Select(t => t.Key));
        Assert.Equal(5m, top[0].Value.KnownCostUsd);
        Assert.Equal(2, top[0].Value.Calls);
    }

    [Fact]
    public async Task GetTimeSeriesAsync_Hourly_BucketsByUtcHourInOrder()
    {
        var ledger = new InMemoryUsageLedger();
        await ledger.RecordAsync(Record("1", T0.AddHours(1), "a", "m", 1m));
        await ledger.RecordAsync(Record("2", T0, "a", "m", 1m));
        await ledger.RecordAsync(Record("3", T0.AddMinutes(44), "a", "m", 2m));
        await ledger.RecordAsync(Record("4", new DateTimeOffset(2026, 11, 20, 12, 30, 0, TimeSpan.FromHours(1)), "a", "m", 4m));

        var hourly = await ledger.GetTimeSeriesAsync(new UsageQuery(), UsageInterval.Hour);
        var daily = await ledger.GetTimeSeriesAsync(new UsageQuery(), UsageInterval.Day);

        Assert.Equal([T0.AddMinutes(-15), T0.AddMinutes(45)], hourly.Select(b => b.Key));
        Assert.Equal([3m, 5m], hourly.Select(b => b.Value.KnownCostUsd));
        Assert.Equal(8m, Assert.Single(daily).Value.KnownCostUsd);
    }

    [Fact]
    public async Task RecordAsync_BeyondMaxRecords_DropsTheOldest()
    {
        var ledger = new InMemoryUsageLedger(maxRecords: 3);

        for (int i = 0; i < 5; i++)
        {
            await ledger.RecordAsync(Record("r" + i, T0.AddMinutes(i), "a", "m", 1m));
        }

        Assert.Equal(3, ledger.Count);
        Assert.Equal(3m, (await ledger.GetTotalsAsync(new UsageQuery())).KnownCostUsd);
        Assert.Equal(3, (await ledger.GetTotalsAsync(new UsageQuery { From = T0.AddMinutes(2) })).Calls);
    }
}
