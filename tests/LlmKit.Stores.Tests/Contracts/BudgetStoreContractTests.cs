namespace LlmKit.Stores.Tests.Contracts;

/// <summary>
/// The behaviour every <see cref="IBudgetStore"/> must have (in memory, SQLite, PostgreSQL). Expected values are
/// worked out by hand from the limits and amounts in each test.
/// </summary>
public abstract class BudgetStoreContractTests
{
    protected static readonly DateTimeOffset Day1 = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
    protected static readonly DateTimeOffset Noon = Day1.AddHours(12);

    /// <summary>Creates an empty store.</summary>
    protected abstract Task<IBudgetStore> CreateStoreAsync();

    protected static BudgetWindowKey Daily(string budget, BudgetScope scope, DateTimeOffset day) => new(budget, scope, day);

    [Fact]
    public async Task TryReserveAsync_UpToTheLimit_HoldsAndRefusesWhatDoesNotFit()
    {
        var store = await CreateStoreAsync();
        var key = Daily("daily", BudgetScope.Tenant("acme"), Day1);

        Assert.True(await store.TryReserveAsync(key, "r1", 4m, 10m, Noon));
        Assert.True(await store.TryReserveAsync(key, "r2", 5m, 10m, Noon));
        // 4 + 5 + 2 = 11 > 10.
        Assert.False(await store.TryReserveAsync(key, "r3", 2m, 10m, Noon));
        // 4 + 5 + 1 = 10, exactly the limit.
        Assert.True(await store.TryReserveAsync(key, "r4", 1m, 10m, Noon));

        Assert.Equal(new BudgetWindowUsage(0m, 10m), await store.GetAsync(key, Noon));
    }

    [Fact]
    public async Task TryReserveAsync_SameReservationTwice_HoldsOnce()
    {
        var store = await CreateStoreAsync();
        var key = Daily("daily", BudgetScope.Global, Day1);

        Assert.True(await store.TryReserveAsync(key, "r1", 6m, 10m, Noon));
        Assert.True(await store.TryReserveAsync(key, "r1", 6m, 10m, Noon));

        Assert.Equal(6m, (await store.GetAsync(key, Noon)).Reserved);
    }

    [Fact]
    public async Task SettleAsync_TwiceOrUnknown_CountsTheSpendOnce()
    {
        var store = await CreateStoreAsync();
        var key = Daily("daily", BudgetScope.User("ann"), Day1);
        await store.TryReserveAsync(key, "r1", 4m, 10m, Noon);
        await store.TryReserveAsync(key, "r2", 5m, 10m, Noon);

        Assert.Equal(3.25m, await store.SettleAsync(key, "r1", 3.25m, Noon));
        Assert.Equal(3.25m, await store.SettleAsync(key, "r1", 3.25m, Noon));
        Assert.Equal(3.25m, await store.SettleAsync(key, "never-made", 7m, Noon));
        Assert.Equal(new BudgetWindowUsage(3.25m, 5m), await store.GetAsync(key, Noon));

        // Settling with zero releases the hold: 3.25 spent, nothing reserved, so 6.75 fits exactly.
        Assert.Equal(3.25m, await store.SettleAsync(key, "r2", 0m, Noon));
        Assert.True(await store.TryReserveAsync(key, "r3", 6.75m, 10m, Noon));
        Assert.False(await store.TryReserveAsync(key, "r4", 0.01m, 10m, Noon));
    }

    [Fact]
    public async Task GetAsync_LaterCalendarWindow_StartsWithoutSpendAndKeepsOpenReservations()
    {
        var store = await CreateStoreAsync();
        var scope = BudgetScope.Tenant("acme");
        var first = Daily("daily", scope, Day1);
        await store.TryReserveAsync(first, "r1", 4m, 10m, Noon);
        await store.SettleAsync(first, "r1", 4m, Noon);
        await store.TryReserveAsync(first, "r2", 3m, 10m, Noon);

        var second = Daily("daily", scope, Day1.AddDays(1));
        var next = Day1.AddDays(1).AddHours(1);

        Assert.Equal(new BudgetWindowUsage(0m, 3m), await store.GetAsync(second, next));
        // The call that straddles midnight settles into the new day.
        Assert.Equal(2m, await store.SettleAsync(second, "r2", 2m, next));
        // 2 spent + 8 = 10 fits the new day's limit.
        Assert.True(await store.TryReserveAsync(second, "r3", 8m, 10m, next));
    }

    [Fact]
    public async Task GetAsync_RollingWindow_ForgetsSpendOnePeriodAfterItsMinuteEnds()
    {
        var store = await CreateStoreAsync();
        // A one-hour rolling window counts in 60 buckets of one minute.
        var key = new BudgetWindowKey("hourly", BudgetScope.Global, DateTimeOffset.MinValue, TimeSpan.FromHours(1));
        var t0 = Noon.AddSeconds(10);
        await store.TryReserveAsync(key, "r1", 5m, 10m, t0);
        await store.SettleAsync(key, "r1", 5m, t0);
        await store.TryReserveAsync(key, "r2", 2m, 10m, Noon.AddMinutes(30));
        await store.SettleAsync(key, "r2", 2m, Noon.AddMinutes(30));

        // The 12:00 minute ends at 12:01, so its spend counts until 13:01.
        var atHalfPast = await store.GetAsync(key, Noon.AddMinutes(45));
        Assert.Equal((7m, 0m, Noon.AddMinutes(61)), (atHalfPast.Spent, atHalfPast.Reserved, atHalfPast.NextRollOff));
        Assert.Equal(7m, (await store.GetAsync(key, Noon.AddMinutes(60).AddSeconds(59))).Spent);

        var after = await store.GetAsync(key, Noon.AddMinutes(61));
        Assert.Equal((2m, Noon.AddMinutes(91)), (after.Spent, after.NextRollOff));
        // 2 spent + 8 = 10 fits once the 5 has rolled off.
        Assert.True(await store.TryReserveAsync(key, "r3", 8m, 10m, Noon.AddMinutes(61)));
        Assert.Equal(new BudgetWindowUsage(0m, 8m), await store.GetAsync(key, Noon.AddMinutes(91)) with { NextRollOff = null });
    }

    [Fact]
    public async Task TryMarkAlertAsync_PerWindowAndThreshold_ReportsTheFirstCallOnly()
    {
        var store = await CreateStoreAsync();
        var scope = BudgetScope.Tenant("acme");
        var first = Daily("daily", scope, Day1);
        var second = Daily("daily", scope, Day1.AddDays(1));

        Assert.True(await store.TryMarkAlertAsync(first, 0.5m));
        Assert.False(await store.TryMarkAlertAsync(first, 0.5m));
        Assert.False(await store.TryMarkAlertAsync(first, 0.50m));
        Assert.True(await store.TryMarkAlertAsync(first, 0.8m));
        Assert.True(await store.TryMarkAlertAsync(Daily("daily", BudgetScope.Tenant("other"), Day1), 0.5m));
        Assert.True(await store.TryMarkAlertAsync(second, 0.5m));
        Assert.False(await store.TryMarkAlertAsync(second, 0.5m));
        // A late alert of a window that has ended is not raised.
        Assert.False(await store.TryMarkAlertAsync(first, 1m));
    }

    [Fact]
    public async Task TryReserveAsync_ScopesAndBudgets_AreCountedApart()
    {
        var store = await CreateStoreAsync();
        var acme = Daily("daily", BudgetScope.Tenant("acme"), Day1);
        var globex = Daily("daily", BudgetScope.Tenant("globex"), Day1);
        var userAcme = Daily("daily", BudgetScope.User("acme"), Day1);
        var monthly = Daily("monthly", BudgetScope.Tenant("acme"), Day1);

        Assert.True(await store.TryReserveAsync(acme, "r", 10m, 10m, Noon));
        Assert.True(await store.TryReserveAsync(globex, "r", 10m, 10m, Noon));
        Assert.True(await store.TryReserveAsync(userAcme, "r", 10m, 10m, Noon));
        Assert.True(await store.TryReserveAsync(monthly, "r", 10m, 10m, Noon));
        Assert.False(await store.TryReserveAsync(acme, "r2", 0.5m, 10m, Noon));
    }

    [Fact]
    public async Task TryReserveAsync_300ConcurrentReservations_HoldExactlyTheLimit()
    {
        var store = await CreateStoreAsync();
        var key = Daily("daily", BudgetScope.Global, Day1);

        var results = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(async () => await store.TryReserveAsync(key, $"r{i}", 1m, 100m, Noon))));

        // Each holds 1 of a limit of 100: exactly 100 fit, whatever the interleaving.
        Assert.Equal(100, results.Count(r => r));
        Assert.Equal(new BudgetWindowUsage(0m, 100m), await store.GetAsync(key, Noon));
    }

    [Fact]
    public async Task SettleAsync_200ConcurrentCalls_NeverSpendMoreThanTheLimit()
    {
        var store = await CreateStoreAsync();
        var key = Daily("daily", BudgetScope.Tenant("acme"), Day1);

        // Each call reserves 1.5 and then spends 1.5 (half of them settle twice, as a retry would): 40 fit 60 exactly.
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            if (!await store.TryReserveAsync(key, $"r{i}", 1.5m, 60m, Noon))
            {
                return false;
            }

            await store.SettleAsync(key, $"r{i}", 1.5m, Noon);
            if (i % 2 == 0)
            {
                await store.SettleAsync(key, $"r{i}", 1.5m, Noon);
            }

            return true;
        })));

        Assert.Equal(40, results.Count(r => r));
        Assert.Equal(new BudgetWindowUsage(60m, 0m), await store.GetAsync(key, Noon));
    }

    [Fact]
    public async Task TryMarkAlertAsync_ConcurrentCallers_OnlyOneIsFirst()
    {
        var store = await CreateStoreAsync();
        var key = Daily("daily", BudgetScope.Global, Day1);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () => await store.TryMarkAlertAsync(key, 0.8m))));

        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task TryReserveAsync_NegativeAmount_Throws()
    {
        var store = await CreateStoreAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.TryReserveAsync(Daily("daily", BudgetScope.Global, Day1), "r", -1m, 10m, Noon));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.SettleAsync(Daily("daily", BudgetScope.Global, Day1), "r", -1m, Noon));
    }

    [Fact]
    public async Task EveryMethod_ScopeOrIdWithLoneSurrogate_ThrowsArgumentExceptionAndHoldsNothing()
    {
        var store = await CreateStoreAsync();
        var high = Daily("daily", BudgetScope.Tenant("t\uD800"), Day1);
        var low = Daily("daily", BudgetScope.Tenant("t\uDC00"), Day1);

        var reserve = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TryReserveAsync(high, "r1", 1m, 10m, Noon));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TryReserveAsync(low, "r1", 1m, 10m, Noon));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TryReserveAsync(Daily("b\uDC00", BudgetScope.Global, Day1), "r1", 1m, 10m, Noon));
        var reservation = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TryReserveAsync(Daily("daily", BudgetScope.Global, Day1), "r\uD800", 1m, 10m, Noon));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.SettleAsync(high, "r1", 1m, Noon));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.GetAsync(low, Noon));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TryMarkAlertAsync(high, 0.5m));

        Assert.Contains("The budget scope value is not well-formed UTF-16", reserve.Message, StringComparison.Ordinal);
        Assert.Contains("The reservation id is not well-formed UTF-16", reservation.Message, StringComparison.Ordinal);
        Assert.Equal(new BudgetWindowUsage(0m, 0m), await store.GetAsync(Daily("daily", BudgetScope.Global, Day1), Noon));
    }
}
