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
}
