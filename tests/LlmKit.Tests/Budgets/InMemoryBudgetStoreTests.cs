using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Tests.Budgets;

public class InMemoryBudgetStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private static readonly BudgetWindowKey Day = new("daily", BudgetScope.Tenant("acme"), new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task TryReserveAsync_AmountBeyondLimit_RefusesAndHoldsNothing()
    {
        var store = new InMemoryBudgetStore();

        Assert.True(await store.TryReserveAsync(Day, "r1", 0.6m, 1m, Now));
        Assert.False(await store.TryReserveAsync(Day, "r2", 0.5m, 1m, Now));

        Assert.Equal(new BudgetWindowUsage(0m, 0.6m), await store.GetAsync(Day, Now));
    }

    [Fact]
    public async Task TryReserveAsync_SameIdTwice_HoldsOnce()
    {
        var store = new InMemoryBudgetStore();

        Assert.True(await store.TryReserveAsync(Day, "r1", 0.6m, 1m, Now));
        Assert.True(await store.TryReserveAsync(Day, "r1", 0.6m, 1m, Now));

        Assert.Equal(0.6m, (await store.GetAsync(Day, Now)).Reserved);
    }

    [Fact]
    public async Task SettleAsync_Twice_CountsTheSpendOnce()
    {
        var store = new InMemoryBudgetStore();
        await store.TryReserveAsync(Day, "r1", 0.6m, 1m, Now);

        Assert.Equal(0.25m, await store.SettleAsync(Day, "r1", 0.25m, Now));
        Assert.Equal(0.25m, await store.SettleAsync(Day, "r1", 0.25m, Now));

        Assert.Equal(new BudgetWindowUsage(0.25m, 0m), await store.GetAsync(Day, Now));
    }

    [Fact]
    public async Task TryReserveAsync_LaterWindow_StartsWithoutSpendButKeepsOpenReservations()
    {
        var store = new InMemoryBudgetStore();
        await store.TryReserveAsync(Day, "spent", 0.7m, 1m, Now);
        await store.SettleAsync(Day, "spent", 0.7m, Now);
        await store.TryReserveAsync(Day, "open", 0.2m, 1m, Now);
        var nextDay = Day with { WindowStart = Day.WindowStart.AddDays(1) };

        Assert.True(await store.TryReserveAsync(nextDay, "r3", 0.8m, 1m, Now.AddDays(1)));

        // 0.2 still held from the call that straddles midnight, 0.8 new: the next 0.1 does not fit.
        Assert.False(await store.TryReserveAsync(nextDay, "r4", 0.1m, 1m, Now.AddDays(1)));
        Assert.Equal(new BudgetWindowUsage(0m, 1.0m), await store.GetAsync(nextDay, Now.AddDays(1)));
    }

    [Fact]
    public async Task GetAsync_RollingHour_ForgetsSpendOneBucketAfterThePeriod()
    {
        var store = new InMemoryBudgetStore();
        var key = new BudgetWindowKey("hourly", BudgetScope.Global, DateTimeOffset.MinValue, TimeSpan.FromHours(1));
        await store.TryReserveAsync(key, "a", 1m, 10m, Now);
        await store.SettleAsync(key, "a", 0.6m, Now);
        await store.TryReserveAsync(key, "b", 1m, 10m, Now.AddMinutes(30));
        await store.SettleAsync(key, "b", 0.3m, Now.AddMinutes(30));

        // Buckets are one minute wide; the first spend (minute 0) counts until minute 61.
        Assert.Equal(0.9m, (await store.GetAsync(key, Now.AddMinutes(60))).Spent);
        Assert.Equal(Now.AddMinutes(61), (await store.GetAsync(key, Now.AddMinutes(60))).NextRollOff);
        Assert.Equal(0.3m, (await store.GetAsync(key, Now.AddMinutes(61))).Spent);
        Assert.Equal(0m, (await store.GetAsync(key, Now.AddHours(3))).Spent);
    }

    [Fact]
    public async Task TryMarkAlertAsync_SameWindowAndThreshold_TrueOnlyForTheFirstCaller()
    {
        var store = new InMemoryBudgetStore();

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => store.TryMarkAlertAsync(Day, 0.8m).AsTask())));

        Assert.Equal(1, results.Count(r => r));
        Assert.True(await store.TryMarkAlertAsync(Day, 0.5m));
        Assert.True(await store.TryMarkAlertAsync(Day with { WindowStart = Day.WindowStart.AddDays(1) }, 0.8m));
    }

    [Fact]
    public async Task TryReserveAsync_HundredsConcurrently_NeverHoldsMoreThanTheLimit()
    {
        var store = new InMemoryBudgetStore();

        var admitted = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => Task.Run(() => store.TryReserveAsync(Day, "r" + i, 0.03m, 1m, Now).AsTask())));

        // 33 x 0.03 = 0.99 fits; a 34th would make 1.02.
        Assert.Equal(33, admitted.Count(a => a));
        Assert.Equal(0.99m, (await store.GetAsync(Day, Now)).Reserved);
    }

    private static BudgetWindowKey Daily(string tenant, DateTimeOffset day) => new("daily", BudgetScope.Tenant(tenant), day);

    [Fact]
    public async Task Sweep_TenantsOfAnEndedDayOnTheFakeClock_DroppedWhileTotalsStayCorrect()
    {
        // A per-tenant daily budget of 10 USD. On day 1, 200 tenants each spend 0.5 and "late" holds 2 across midnight.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero));
        var store = new InMemoryBudgetStore();
        var manager = new BudgetManager([new BudgetDefinition { Id = "daily", Scope = new BudgetScope(BudgetScopeKind.Tenant, "*"), Limit = 10m, Period = BudgetPeriod.Day }], store, time);
        static BudgetAdmissionRequest Call(string id, string tenant, decimal usd) => new() { RequestId = id, Context = new() { TenantId = tenant }, Model = "m", EstimatedUsd = usd, EstimatedTokens = 10 };
        for (int i = 0; i < 200; i++)
        {
            await manager.SettleAsync(await manager.ReserveAsync(Call($"d1-{i}", $"t{i}", 1m)), 0.5m, 10);
        }

        time.Advance(TimeSpan.FromHours(14.9));
        var straddling = await manager.ReserveAsync(Call("late", "late", 2m));
        Assert.Equal(201, store.EntryCount);

        // Day 2, 01:00: the first call of the day sweeps. t0 spends 3; only its entry and the open reservation remain.
        time.Advance(TimeSpan.FromHours(2));
        await manager.SettleAsync(await manager.ReserveAsync(Call("d2-0", "t0", 4m)), 3m, 10);

        Assert.Equal(2, store.EntryCount);
        var t0 = Assert.Single(await manager.GetStatusAsync(new LlmRequestContext { TenantId = "t0" }));
        var t1 = Assert.Single(await manager.GetStatusAsync(new LlmRequestContext { TenantId = "t1" }));
        var late = Assert.Single(await manager.GetStatusAsync(new LlmRequestContext { TenantId = "late" }));
        Assert.Equal((3m, 0m), (t0.Spent, t0.Reserved));
        Assert.Equal((0m, 0m), (t1.Spent, t1.Reserved));
        Assert.Equal((0m, 2m), (late.Spent, late.Reserved));

        // t1's day-1 spend is gone with its entry, as the new day would have reset it: the full 10 fit, 0.01 more does not.
        Assert.NotNull(await manager.ReserveAsync(Call("d2-1", "t1", 10m)));
        await Assert.ThrowsAsync<BudgetExceededException>(async () => await manager.ReserveAsync(Call("d2-2", "t1", 0.01m)));

        // The reservation made before midnight still settles once.
        await manager.SettleAsync(straddling, 1.5m, 10);
        await manager.SettleAsync(straddling, 1.5m, 10);
        late = Assert.Single(await manager.GetStatusAsync(new LlmRequestContext { TenantId = "late" }));
        Assert.Equal(0m, late.Reserved);
    }

    [Fact]
    public async Task Sweep_WithinAMinuteOfTheLast_WaitsForTheNextMinute()
    {
        var day1 = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        var day2 = day1.AddDays(1);
        var store = new InMemoryBudgetStore();
        await store.GetAsync(Daily("a", day1), day1.AddHours(23));

        // b's call at midnight (an hour after the last sweep) begins day 2 and sweeps a's ended day 1.
        await store.GetAsync(Daily("b", day2), day2);
        Assert.Equal(1, store.EntryCount);

        // c (a straggler of day 1) 59 s later: no sweep yet, so c stays; 61 s after midnight, d's call sweeps it.
        await store.GetAsync(Daily("c", day1), day2.AddSeconds(59));
        Assert.Equal(2, store.EntryCount);
        await store.GetAsync(Daily("d", day2), day2.AddSeconds(61));
        Assert.Equal(2, store.EntryCount);
    }

    [Fact]
    public async Task RemoveEnded_OpenReservationInAnEndedWindow_KeptUntilSettled()
    {
        var day1 = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        var day2 = day1.AddDays(1);
        var store = new InMemoryBudgetStore();
        await store.TryReserveAsync(Daily("a", day1), "open", 3m, 10m, day1.AddHours(23));
        await store.TryReserveAsync(Daily("b", day2), "r", 1m, 10m, day2);

        Assert.Equal(0, store.RemoveEnded(day2.AddHours(1)));
        Assert.Equal(new BudgetWindowUsage(0m, 3m), await store.GetAsync(Daily("a", day1), day2.AddHours(1)));

        await store.SettleAsync(Daily("a", day1), "open", 2m, day2.AddHours(1));

        Assert.Equal(1, store.RemoveEnded(day2.AddHours(2)));
        Assert.Equal(1, store.EntryCount);
    }

    [Fact]
    public async Task RemoveEnded_RollingWindow_KeptUntilItsSpendRolledOffAndItsAlertPeriodEnded()
    {
        // A one-hour rolling window: 12:00's spend counts until 13:01; the 12:00-13:00 alert period ends at 13:00.
        var noon = new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
        var key = new BudgetWindowKey("hourly", BudgetScope.User("ann"), DateTimeOffset.MinValue, TimeSpan.FromHours(1));
        var store = new InMemoryBudgetStore();
        await store.TryReserveAsync(key, "r", 1m, 10m, noon);
        await store.SettleAsync(key, "r", 1m, noon);
        Assert.True(await store.TryMarkAlertAsync(key with { WindowStart = noon }, 0.1m));

        Assert.Equal(0, store.RemoveEnded(noon.AddMinutes(60)));
        Assert.Equal(1m, (await store.GetAsync(key, noon.AddMinutes(60))).Spent);
        Assert.Equal(1, store.RemoveEnded(noon.AddMinutes(61)));

        // The alert of the swept period is not raised again; the next period's is.
        Assert.False(await store.TryMarkAlertAsync(key with { WindowStart = noon }, 0.1m));
        Assert.True(await store.TryMarkAlertAsync(key with { WindowStart = noon.AddHours(1) }, 0.1m));
    }

    [Fact]
    public async Task RemoveEnded_LifetimeBudget_NeverDropped()
    {
        var now = new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
        var lifetime = new BudgetWindowKey("lifetime", BudgetScope.Tenant("acme"), DateTimeOffset.MinValue);
        var store = new InMemoryBudgetStore();
        await store.TryReserveAsync(lifetime, "r", 4m, 10m, now);
        await store.SettleAsync(lifetime, "r", 4m, now);

        Assert.Equal(0, store.RemoveEnded(now.AddYears(5)));
        Assert.Equal(4m, (await store.GetAsync(lifetime, now.AddYears(5))).Spent);
    }

    [Fact]
    public async Task TryMarkAlertAsync_WindowSwept_LateAlertNotRaisedAgain()
    {
        var day1 = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        var day2 = day1.AddDays(1);
        var store = new InMemoryBudgetStore();
        // a's call at 23:59:30 sweeps (nothing has ended); b's at midnight is within the minute, so a stays until asked.
        await store.GetAsync(Daily("a", day1), day2.AddSeconds(-30));
        Assert.True(await store.TryMarkAlertAsync(Daily("a", day1), 0.5m));
        await store.GetAsync(Daily("b", day2), day2);
        Assert.Equal(2, store.EntryCount);

        Assert.Equal(1, store.RemoveEnded(day2.AddHours(1)));

        Assert.False(await store.TryMarkAlertAsync(Daily("a", day1), 0.5m));
        Assert.True(await store.TryMarkAlertAsync(Daily("a", day2), 0.5m));
    }

    [Fact]
    public async Task TryReserveAsync_SweepsRunningAlongside_NoReservationLost()
    {
        // 100 tenants spent on day 1. On day 2 each reserves its whole limit of 1 while sweeps run (every call is a minute
        // later on the store's clock than the one before, so nearly every call sweeps): every reservation holds, so a
        // second one for the same tenant never fits.
        var day1 = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        var day2 = day1.AddDays(1);
        var store = new InMemoryBudgetStore();
        for (int i = 0; i < 100; i++)
        {
            await store.TryReserveAsync(Daily($"t{i}", day1), "d1", 0.5m, 1m, day1.AddHours(10));
            await store.SettleAsync(Daily($"t{i}", day1), "d1", 0.5m, day1.AddHours(10));
        }

        int clock = 0;
        DateTimeOffset Tick() => day2.AddMinutes(Interlocked.Increment(ref clock));
        var first = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () => await store.TryReserveAsync(Daily($"t{i}", day2), "a", 1m, 1m, Tick()))));
        var second = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () => await store.TryReserveAsync(Daily($"t{i}", day2), "b", 0.01m, 1m, Tick()))));

        Assert.All(first, Assert.True);
        Assert.All(second, Assert.False);
        Assert.Equal(100, store.EntryCount);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(new BudgetWindowUsage(0m, 1m), await store.GetAsync(Daily($"t{i}", day2), Tick()));
        }
    }
}
