using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Tests.Budgets;

public class BudgetManagerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private static readonly LlmRequestContext Acme = new() { TenantId = "acme", UserId = "u1" };

    private static BudgetManager Manager(FakeTimeProvider time, params BudgetDefinition[] budgets) => new(budgets, new InMemoryBudgetStore(), time);

    private static BudgetAdmissionRequest Request(string id, decimal? usd, long tokens = 1_000, LlmRequestContext? context = null, string model = "gpt-4o")
        => new() { RequestId = id, Context = context ?? Acme, Model = model, EstimatedUsd = usd, EstimatedTokens = tokens };

    private static BudgetDefinition Usd(string id, decimal limit, BudgetPeriod period = BudgetPeriod.Day, BudgetScope? scope = null)
        => new() { Id = id, Scope = scope ?? new BudgetScope(BudgetScopeKind.Tenant, "*"), Limit = limit, Period = period };

    [Fact]
    public async Task ReserveAsync_HundredsConcurrently_AdmitsOnlyWhatFitsTheLimit()
    {
        var manager = Manager(new FakeTimeProvider(Start), Usd("daily", 10m));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => Task.Run(async () =>
        {
            try
            {
                return await manager.ReserveAsync(Request("r" + i, 0.30m));
            }
            catch (BudgetExceededException)
            {
                return null;
            }
        })));
        var admitted = outcomes.Where(r => r is not null).Select(r => r!).ToArray();
        await Task.WhenAll(admitted.Select(r => Task.Run(() => manager.SettleAsync(r, 0.25m, 900).AsTask())));

        // 33 x 0.30 = 9.90 fits in 10; each then settles at 0.25: 8.25 spent, nothing held.
        Assert.Equal(33, admitted.Length);
        var status = Assert.Single(await manager.GetStatusAsync(Acme));
        Assert.Equal(8.25m, status.Spent);
        Assert.Equal(0m, status.Reserved);
    }

    [Fact]
    public async Task ReserveAndSettle_InterleavedConcurrently_SpendNeverExceedsTheLimit()
    {
        var manager = Manager(new FakeTimeProvider(Start), Usd("daily", 10m));
        int admitted = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, 400), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            try
            {
                var reservation = await manager.ReserveAsync(Request("r" + i, 0.30m));
                Interlocked.Increment(ref admitted);
                await manager.SettleAsync(reservation, 0.30m, 1_000);
            }
            catch (BudgetExceededException)
            {
            }
        });

        var status = Assert.Single(await manager.GetStatusAsync(Acme));
        Assert.Equal(admitted * 0.30m, status.Spent);
        Assert.True(status.Spent <= 10m, $"spent {status.Spent}");
        Assert.Equal(33, admitted);
    }

    [Fact]
    public async Task ReserveAsync_OneBudgetRefuses_ReleasesWhatTheOthersHeld()
    {
        var tokens = new BudgetDefinition { Id = "user-tokens", Scope = new BudgetScope(BudgetScopeKind.User, "*"), Unit = BudgetUnit.Tokens, Limit = 20_000, Period = BudgetPeriod.Hour };
        var manager = Manager(new FakeTimeProvider(Start), Usd("daily", 10m), tokens);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(async () =>
        {
            try
            {
                return await manager.ReserveAsync(Request("r" + i, 0.30m, tokens: 1_000));
            }
            catch (BudgetExceededException)
            {
                return null;
            }
        })));

        // The token budget admits 20 calls of 1,000 tokens; the USD budget alone would admit 33.
        Assert.Equal(20, outcomes.Count(r => r is not null));
        var statuses = await manager.GetStatusAsync(Acme);
        Assert.Equal(6.00m, statuses.Single(s => s.Budget.Id == "daily").Reserved);
        Assert.Equal(20_000m, statuses.Single(s => s.Budget.Id == "user-tokens").Reserved);
        Assert.Equal(["daily", "user-tokens"], outcomes.First(r => r is not null)!.BudgetIds);
    }

    [Fact]
    public async Task ReserveAsync_Exhausted_ThrowsWithScopeRemainingAndReset()
    {
        var manager = Manager(new FakeTimeProvider(Start), Usd("daily", 1m));
        var first = await manager.ReserveAsync(Request("r1", 0.5m));
        await manager.SettleAsync(first, 0.9m, 1_000);

        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() => manager.ReserveAsync(Request("r2", 0.2m)).AsTask());

        Assert.Equal("daily", ex.BudgetId);
        Assert.Equal(BudgetScope.Tenant("acme"), ex.Scope);
        Assert.Equal(0.1m, ex.Remaining);
        Assert.Equal(0.2m, ex.Requested);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero), ex.ResetsAt);
        Assert.Contains("Budget 'daily' for tenant 'acme'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("needs 0.2 USD but only 0.1 of 1 USD remain", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2026-11-21T00:00:00.0000000+00:00", ex.Message, StringComparison.Ordinal);
        Assert.Contains("raise the limit", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReserveAsync_NextDay_WindowResetsOnTheFakeClock()
    {
        var time = new FakeTimeProvider(Start);
        var manager = Manager(time, Usd("daily", 1m));
        await manager.SettleAsync(await manager.ReserveAsync(Request("r1", 0.5m)), 0.95m, 1_000);
        await Assert.ThrowsAsync<BudgetExceededException>(() => manager.ReserveAsync(Request("r2", 0.2m)).AsTask());

        time.Advance(TimeSpan.FromHours(15)); // 2026-11-21 00:00 UTC
        var reservation = await manager.ReserveAsync(Request("r3", 0.2m));

        Assert.Equal(0.2m, reservation.ReservedUsd);
        var status = Assert.Single(await manager.GetStatusAsync(Acme));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero), status.WindowStart);
        Assert.Equal(0m, status.Spent);
        Assert.Equal(0.8m, status.Remaining);
    }

    [Fact]
    public async Task ReserveAsync_SeveralWindowsAtOnce_TheTightestRefuses()
    {
        var time = new FakeTimeProvider(Start);
        var manager = Manager(time, Usd("hourly", 1m, BudgetPeriod.Hour), Usd("monthly", 2.5m, BudgetPeriod.Month));

        await manager.SettleAsync(await manager.ReserveAsync(Request("a", 0.9m)), 0.9m, 1);
        await Assert.ThrowsAsync<BudgetExceededException>(() => manager.ReserveAsync(Request("b", 0.2m)).AsTask());
        time.Advance(TimeSpan.FromHours(1));
        await manager.SettleAsync(await manager.ReserveAsync(Request("c", 0.9m)), 0.9m, 1);
        time.Advance(TimeSpan.FromHours(1));
        await manager.SettleAsync(await manager.ReserveAsync(Request("d", 0.6m)), 0.6m, 1);

        // The hour has room again but the month holds 2.4 of 2.5.
        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() => manager.ReserveAsync(Request("e", 0.2m)).AsTask());
        Assert.Equal("monthly", ex.BudgetId);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), ex.ResetsAt);
    }

    [Fact]
    public async Task GetStatusAsync_BerlinDayWhenClocksGoForward_Is23HoursLong()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 29, 10, 0, 0, TimeSpan.Zero));
        var manager = Manager(time, Usd("daily", 1m) with { TimeZoneId = "Europe/Berlin" }, Usd("monthly", 1m, BudgetPeriod.Month) with { TimeZoneId = "Europe/Berlin" });

        var statuses = await manager.GetStatusAsync(Acme);

        // 29 March 2026: midnight is CET (+01:00), the next midnight CEST (+02:00).
        var day = statuses.Single(s => s.Budget.Id == "daily");
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 23, 0, 0, TimeSpan.Zero), day.WindowStart);
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 22, 0, 0, TimeSpan.Zero), day.WindowEnd);
        var month = statuses.Single(s => s.Budget.Id == "monthly");
        Assert.Equal(new DateTimeOffset(2026, 2, 28, 23, 0, 0, TimeSpan.Zero), month.WindowStart);
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 22, 0, 0, TimeSpan.Zero), month.WindowEnd);
    }

    [Fact]
    public async Task GetStatusAsync_NewYorkWhenClocksGoBack_DayIs25HoursAndTheRepeatedHourIsItsOwnWindow()
    {
        // 1 November 2026, 01:30 EDT (05:30 UTC) and, an hour later, 01:30 EST (06:30 UTC).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 5, 30, 0, TimeSpan.Zero));
        var manager = Manager(time, Usd("daily", 1m) with { TimeZoneId = "America/New_York" }, Usd("hourly", 1m, BudgetPeriod.Hour) with { TimeZoneId = "America/New_York" });

        var first = await manager.GetStatusAsync(Acme);
        time.Advance(TimeSpan.FromHours(1));
        var second = await manager.GetStatusAsync(Acme);

        var day = first.Single(s => s.Budget.Id == "daily");
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 4, 0, 0, TimeSpan.Zero), day.WindowStart);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 5, 0, 0, TimeSpan.Zero), day.WindowEnd);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 5, 0, 0, TimeSpan.Zero), first.Single(s => s.Budget.Id == "hourly").WindowStart);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 6, 0, 0, TimeSpan.Zero), second.Single(s => s.Budget.Id == "hourly").WindowStart);
        Assert.Equal(day.WindowStart, second.Single(s => s.Budget.Id == "daily").WindowStart);
    }

    [Fact]
    public async Task GetStatusAsync_WeekInTokyo_StartsMondayLocalMidnight()
    {
        // Wednesday 25 November 2026, 03:00 UTC = 12:00 in Tokyo (+09:00).
        var manager = Manager(new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)), Usd("weekly", 1m, BudgetPeriod.Week) with { TimeZoneId = "Asia/Tokyo" });

        var status = Assert.Single(await manager.GetStatusAsync(Acme));

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 15, 0, 0, TimeSpan.Zero), status.WindowStart);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 15, 0, 0, TimeSpan.Zero), status.WindowEnd);
    }

    [Fact]
    public async Task AlertRaised_HundredsOfConcurrentSettlements_EachThresholdFiresOnce()
    {
        var manager = Manager(new FakeTimeProvider(Start), Usd("daily", 5m));
        var alerts = new System.Collections.Concurrent.ConcurrentBag<BudgetAlert>();
        manager.AlertRaised += (_, alert) => alerts.Add(alert);

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            try
            {
                var r = await manager.ReserveAsync(Request("r" + i, 0.05m));
                await manager.SettleAsync(r, 0.05m, 10);
            }
            catch (BudgetExceededException)
            {
            }
        })));

        Assert.Equal([0.5m, 0.8m, 1.0m], alerts.Select(a => a.Threshold).Order().ToArray());
        Assert.All(alerts, a => Assert.Equal(BudgetScope.Tenant("acme"), a.Scope));
        Assert.All(alerts, a => Assert.Equal(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), a.WindowStart));
        Assert.Equal(5m, Assert.Single(await manager.GetStatusAsync(Acme)).Spent);
    }

    [Fact]
    public async Task AlertRaised_NextWindow_FiresAgainAndReachesDiHandlers()
    {
        var time = new FakeTimeProvider(Start);
        var handler = new RecordingHandler();
        var manager = new BudgetManager([Usd("hourly", 1m, BudgetPeriod.Hour) with { AlertThresholds = [0.5m] }], new InMemoryBudgetStore(), time, [handler]);

        await manager.SettleAsync(await manager.ReserveAsync(Request("a", 0.6m)), 0.6m, 1);
        await manager.SettleAsync(await manager.ReserveAsync(Request("b", 0.1m)), 0.1m, 1);
        time.Advance(TimeSpan.FromHours(1));
        await manager.SettleAsync(await manager.ReserveAsync(Request("c", 0.6m)), 0.6m, 1);

        Assert.Equal(2, handler.Alerts.Count);
        Assert.Equal(0.6m, handler.Alerts[0].Spent);
        Assert.Equal(Start.AddHours(1), handler.Alerts[1].WindowStart);
    }

    [Fact]
    public async Task AlertRaised_SubscriberThrows_OthersStillHearAndTheSettlementCompletes()
    {
        var manager = Manager(new FakeTimeProvider(Start), Usd("daily", 1m) with { AlertThresholds = [0.5m] });
        var heard = new List<decimal>();
        manager.AlertRaised += (_, _) => throw new InvalidOperationException("subscriber bug");
        manager.AlertRaised += (_, alert) => heard.Add(alert.Threshold);

        await manager.SettleAsync(await manager.ReserveAsync(Request("a", 0.6m)), 0.6m, 1);

        Assert.Equal([0.5m], heard);
        Assert.Equal(0.6m, Assert.Single(await manager.GetStatusAsync(Acme)).Spent);
    }

    [Fact]
    public async Task ReserveAsync_Refused_RaisesTheExhaustedAlertOnce()
    {
        var manager = Manager(new FakeTimeProvider(Start), Usd("daily", 1m));
        var alerts = new List<BudgetAlert>();
        manager.AlertRaised += (_, alert) => alerts.Add(alert);

        await Assert.ThrowsAsync<BudgetExceededException>(() => manager.ReserveAsync(Request("a", 2m)).AsTask());
        await Assert.ThrowsAsync<BudgetExceededException>(() => manager.ReserveAsync(Request("b", 2m)).AsTask());

        var alert = Assert.Single(alerts);
        Assert.True(alert.Exhausted);
        Assert.Equal(1.0m, alert.Threshold);
    }

    [Fact]
    public async Task ReserveAsync_DegradingBudgetWithoutRoom_NamesTheCheaperModelAndHoldsNothing()
    {
        var manager = Manager(new FakeTimeProvider(Start), Usd("daily", 1m) with { OnExhausted = BudgetExhaustedAction.Degrade, DegradeToModel = "cheap" }, Usd("global", 100m, scope: BudgetScope.Global));

        var degraded = await manager.ReserveAsync(Request("a", 2m, model: "smart"));
        var cheap = await manager.ReserveAsync(Request("a", 0.01m, model: "cheap"));

        Assert.Equal("cheap", degraded.DegradedToModel);
        Assert.Empty(degraded.Windows);
        Assert.Equal(0.01m, cheap.ReservedUsd);
        Assert.Equal(0.01m, (await manager.GetStatusAsync(Acme)).Single(s => s.Budget.Id == "global").Reserved);
        await Assert.ThrowsAsync<BudgetExceededException>(() => manager.ReserveAsync(Request("b", 2m, model: "cheap")).AsTask());
    }

    [Fact]
    public async Task ReserveAsync_UnknownPrice_RefusedByDefault()
    {
        var manager = Manager(new FakeTimeProvider(Start), Usd("daily", 100m));

        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() => manager.ReserveAsync(Request("a", null, model: "house-model")).AsTask());

        Assert.Contains("price of model 'house-model' is unknown", ex.Message, StringComparison.Ordinal);
        Assert.Contains("OnUnknownPrice", ex.Message, StringComparison.Ordinal);
        Assert.Equal(100m, ex.Remaining);
    }

    [Fact]
    public async Task ReserveAsync_UnknownPriceWithSkip_CountsOnlyTokenBudgets()
    {
        var tokens = new BudgetDefinition { Id = "tokens", Scope = BudgetScope.Global, Unit = BudgetUnit.Tokens, Limit = 5_000 };
        var manager = Manager(new FakeTimeProvider(Start), Usd("daily", 100m) with { OnUnknownPrice = BudgetUnknownPriceAction.Skip }, tokens);

        var reservation = await manager.ReserveAsync(Request("a", null, tokens: 3_000, model: "house-model"));
        await Assert.ThrowsAsync<BudgetExceededException>(() => manager.ReserveAsync(Request("b", null, tokens: 3_000, model: "house-model")).AsTask());

        Assert.Equal(["tokens"], reservation.BudgetIds);
        Assert.Equal(0m, reservation.ReservedUsd);
        Assert.Equal(3_000, reservation.ReservedTokens);
    }

    [Fact]
    public async Task SettleAsync_UnknownActualCost_KeepsTheReservationAsSpent()
    {
        var manager = Manager(new FakeTimeProvider(Start), Usd("daily", 1m));

        var r = await manager.ReserveAsync(Request("a", 0.4m));
        await manager.SettleAsync(r, null, 10);
        await manager.SettleAsync(r, 0.1m, 10);

        Assert.Equal(0.4m, Assert.Single(await manager.GetStatusAsync(Acme)).Spent);
    }

    [Fact]
    public async Task ReserveAsync_ScopesFromContext_ChargesEachCoveredScopeOnlyOnce()
    {
        var project = new BudgetDefinition { Id = "projects", Scope = new BudgetScope(BudgetScopeKind.Custom, "*"), Limit = 10m };
        var apollo = new BudgetDefinition { Id = "apollo-key", Scope = BudgetScope.ApiKey("key-1"), Limit = 10m };
        var perModel = new BudgetDefinition { Id = "models", Scope = new BudgetScope(BudgetScopeKind.Model, "*"), Limit = 10m };
        var manager = Manager(new FakeTimeProvider(Start), project, apollo, perModel);
        var context = new LlmRequestContext { ApiKeyId = "key-1", BudgetScopes = [BudgetScope.Custom("apollo"), BudgetScope.Custom("gemini"), BudgetScope.Custom("apollo")] };

        var r = await manager.ReserveAsync(Request("a", 1m, context: context, model: "smart"));

        Assert.Equal(
            [new BudgetScope(BudgetScopeKind.Custom, "apollo"), new BudgetScope(BudgetScopeKind.Custom, "gemini"), BudgetScope.ApiKey("key-1"), BudgetScope.Model("smart")],
            r.Windows.Select(w => w.Scope).ToArray());
        Assert.Equal(3, (await manager.GetStatusAsync(context)).Count);
        Assert.Equal(4, (await manager.GetStatusAsync(context, "smart")).Count);
    }

    [Fact]
    public void Constructor_InvalidBudgets_NamesEveryBadKey()
    {
        var ex = Assert.Throws<LlmKitConfigurationException>(() => new BudgetManager(
            [
                Usd("a", -1m) with { TimeZoneId = "Mars/Olympus_Mons" },
                Usd("b", 1m) with { OnExhausted = BudgetExhaustedAction.Degrade, AlertThresholds = [0m] },
                Usd("b", 2m),
            ],
            new InMemoryBudgetStore()));

        Assert.Contains("LlmKit:Budgets:a:Limit", ex.Keys);
        Assert.Contains("LlmKit:Budgets:a:TimeZone", ex.Keys);
        Assert.Contains("LlmKit:Budgets:b:DegradeTo", ex.Keys);
        Assert.Contains("LlmKit:Budgets:b:AlertThresholds:0", ex.Keys);
        Assert.Contains("two budgets have this id", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'Mars/Olympus_Mons' is not a time zone", ex.Message, StringComparison.Ordinal);
    }

    private sealed class RecordingHandler : IBudgetAlertHandler
    {
        public List<BudgetAlert> Alerts { get; } = [];

        public ValueTask OnBudgetAlertAsync(BudgetAlert alert, CancellationToken cancellationToken)
        {
            Alerts.Add(alert);
            return ValueTask.CompletedTask;
        }
    }
}
