namespace LlmKit.Testing.Tests;

public sealed class FakeTimeProviderTests
{
    private static readonly DateTimeOffset Y2K = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Ctor_Default_StartsAt2000MidnightUtc()
    {
        var time = new FakeTimeProvider();

        Assert.Equal(Y2K, time.GetUtcNow());
        Assert.Equal(TimeSpan.Zero, time.GetUtcNow().Offset);
        Assert.Equal(Y2K, time.Start);
        Assert.Equal(Y2K, FakeTimeProvider.DefaultStartTime);
    }

    [Fact]
    public void Ctor_StartWithOffset_ConvertsToUtc()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.FromHours(2)));

        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), time.GetUtcNow());
        Assert.Equal(TimeSpan.Zero, time.GetUtcNow().Offset);
    }

    [Fact]
    public void Advance_PositiveDelta_MovesClockByDelta()
    {
        var time = new FakeTimeProvider();

        time.Advance(TimeSpan.FromMinutes(90));
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(Y2K.AddMinutes(90).AddSeconds(5), time.GetUtcNow());
    }

    [Fact]
    public void Advance_NegativeDelta_ThrowsAndKeepsClock()
    {
        var time = new FakeTimeProvider();

        Assert.Throws<ArgumentOutOfRangeException>(() => time.Advance(TimeSpan.FromTicks(-1)));
        Assert.Equal(Y2K, time.GetUtcNow());
    }

    [Fact]
    public void SetUtcNow_LaterTime_MovesClock()
    {
        var time = new FakeTimeProvider();

        time.SetUtcNow(new DateTimeOffset(2030, 1, 1, 3, 0, 0, TimeSpan.FromHours(3)));

        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), time.GetUtcNow());
    }

    [Fact]
    public void SetUtcNow_EarlierTime_ThrowsAndKeepsClock()
    {
        var time = new FakeTimeProvider();
        time.Advance(TimeSpan.FromHours(1));

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => time.SetUtcNow(Y2K));

        Assert.Equal("value", ex.ParamName);
        Assert.Contains("backwards", ex.Message, StringComparison.Ordinal);
        Assert.Equal(Y2K.AddHours(1), time.GetUtcNow());
    }

    [Fact]
    public void SetUtcNow_SameTime_DoesNotThrow()
    {
        var time = new FakeTimeProvider();

        time.SetUtcNow(Y2K);

        Assert.Equal(Y2K, time.GetUtcNow());
    }

    [Fact]
    public void AutoAdvanceAmount_Set_EachReadMovesClockAfterReturningCurrentValue()
    {
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromSeconds(1) };

        DateTimeOffset first = time.GetUtcNow();
        DateTimeOffset second = time.GetUtcNow();

        Assert.Equal(Y2K, first);
        Assert.Equal(Y2K.AddSeconds(1), second);
        Assert.Equal(TimeSpan.FromSeconds(1), time.AutoAdvanceAmount);
    }

    [Fact]
    public void AutoAdvanceAmount_Default_IsZero()
    {
        var time = new FakeTimeProvider();

        _ = time.GetUtcNow();

        Assert.Equal(TimeSpan.Zero, time.AutoAdvanceAmount);
        Assert.Equal(Y2K, time.GetUtcNow());
    }

    [Fact]
    public void AutoAdvanceAmount_Negative_Throws()
    {
        var time = new FakeTimeProvider();

        Assert.Throws<ArgumentOutOfRangeException>(() => time.AutoAdvanceAmount = TimeSpan.FromSeconds(-1));
    }

    [Fact]
    public void AutoAdvanceAmount_TimerFallsDue_FiresOnRead()
    {
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromSeconds(1) };
        int fired = 0;
        using ITimer timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        _ = time.GetUtcNow();

        Assert.Equal(1, fired);
    }

    [Fact]
    public void AutoAdvanceAmount_ConcurrentReads_EachReadSeesDistinctTimeAndClockMovesPerRead()
    {
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        var seen = new System.Collections.Concurrent.ConcurrentBag<DateTimeOffset>();

        Parallel.For(0, 1000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ => seen.Add(time.GetUtcNow()));

        Assert.Equal(1000, seen.Distinct().Count());
        time.AutoAdvanceAmount = TimeSpan.Zero;
        Assert.Equal(Y2K.AddSeconds(1), time.GetUtcNow());
    }

    [Fact]
    public void LocalTimeZone_Default_IsUtc()
    {
        var time = new FakeTimeProvider();

        Assert.Equal(TimeZoneInfo.Utc, time.LocalTimeZone);
        Assert.Equal(TimeSpan.Zero, time.GetLocalNow().Offset);
    }

    [Fact]
    public void SetLocalTimeZone_CustomZone_LocalNowUsesItsOffset()
    {
        var time = new FakeTimeProvider();
        var zone = TimeZoneInfo.CreateCustomTimeZone("Test/Plus5", TimeSpan.FromHours(5), "Plus five", "Plus five");

        time.SetLocalTimeZone(zone);

        Assert.Same(zone, time.LocalTimeZone);
        DateTimeOffset local = time.GetLocalNow();
        Assert.Equal(TimeSpan.FromHours(5), local.Offset);
        Assert.Equal(5, local.Hour);
        Assert.Equal(Y2K, local.ToUniversalTime());
    }

    [Fact]
    public void SetLocalTimeZone_Null_Throws()
    {
        var time = new FakeTimeProvider();

        Assert.Throws<ArgumentNullException>(() => time.SetLocalTimeZone(null!));
    }

    [Fact]
    public void GetTimestamp_AfterAdvance_ElapsedTimeEqualsAdvance()
    {
        var time = new FakeTimeProvider();
        long start = time.GetTimestamp();

        time.Advance(TimeSpan.FromMilliseconds(1234));

        Assert.Equal(TimeSpan.FromMilliseconds(1234), time.GetElapsedTime(start));
        Assert.Equal(TimeSpan.FromMilliseconds(1234), time.GetElapsedTime(start, time.GetTimestamp()));
    }

    [Fact]
    public void TimestampFrequency_Always_IsTicksPerSecond()
    {
        var time = new FakeTimeProvider();

        Assert.Equal(TimeSpan.TicksPerSecond, time.TimestampFrequency);
        Assert.Equal(Y2K.UtcTicks, time.GetTimestamp());
    }

    [Fact]
    public void GetTimestamp_WithAutoAdvance_DoesNotMoveClock()
    {
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromSeconds(1) };

        long first = time.GetTimestamp();
        long second = time.GetTimestamp();

        Assert.Equal(first, second);
    }

    [Fact]
    public void CreateTimer_BeforeDueTime_DoesNotFire()
    {
        var time = new FakeTimeProvider();
        int fired = 0;
        using ITimer timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));

        Assert.Equal(0, fired);
        Assert.Equal(1, time.PendingTimerCount);
    }

    [Fact]
    public void CreateTimer_AdvancedToDueTime_FiresOnceWithState()
    {
        var time = new FakeTimeProvider();
        var states = new List<object?>();
        using ITimer timer = time.CreateTimer(states.Add, "state", TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(100));

        Assert.Equal(["state"], states);
        Assert.Equal(0, time.PendingTimerCount);
    }

    [Fact]
    public void CreateTimer_SeveralTimersCreatedOutOfOrder_FireInDueTimeOrderAtTheirDueTimes()
    {
        var time = new FakeTimeProvider();
        var fired = new List<(string Name, DateTimeOffset At)>();
        using ITimer c = time.CreateTimer(_ => fired.Add(("c", time.GetUtcNow())), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using ITimer a = time.CreateTimer(_ => fired.Add(("a", time.GetUtcNow())), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using ITimer b = time.CreateTimer(_ => fired.Add(("b", time.GetUtcNow())), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(
            [("a", Y2K.AddSeconds(1)), ("b", Y2K.AddSeconds(2)), ("c", Y2K.AddSeconds(3))],
            fired);
        Assert.Equal(Y2K.AddSeconds(10), time.GetUtcNow());
    }

    [Fact]
    public void CreateTimer_SameDueTime_FireInCreationOrder()
    {
        var time = new FakeTimeProvider();
        var fired = new List<int>();
        using ITimer first = time.CreateTimer(_ => fired.Add(1), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using ITimer second = time.CreateTimer(_ => fired.Add(2), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using ITimer third = time.CreateTimer(_ => fired.Add(3), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([1, 2, 3], fired);
    }

    [Fact]
    public void CreateTimer_Periodic_FiresAtEveryPeriodWithinOneAdvance()
    {
        var time = new FakeTimeProvider();
        var ticks = new List<DateTimeOffset>();
        using ITimer timer = time.CreateTimer(_ => ticks.Add(time.GetUtcNow()), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));

        time.Advance(TimeSpan.FromSeconds(4.5));

        Assert.Equal([Y2K.AddSeconds(2), Y2K.AddSeconds(3), Y2K.AddSeconds(4)], ticks);

        time.Advance(TimeSpan.FromSeconds(0.5));

        Assert.Equal(4, ticks.Count);
        Assert.Equal(Y2K.AddSeconds(5), ticks[^1]);
    }

    [Fact]
    public void CreateTimer_PeriodicAndOneShotInterleaved_FireInTimeOrder()
    {
        var time = new FakeTimeProvider();
        var fired = new List<string>();
        using ITimer periodic = time.CreateTimer(_ => fired.Add("p"), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        using ITimer once = time.CreateTimer(_ => fired.Add("once"), null, TimeSpan.FromSeconds(2.5), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(["p", "p", "once", "p"], fired);
    }

    [Fact]
    public void CreateTimer_ZeroPeriod_FiresOnlyOnce()
    {
        var time = new FakeTimeProvider();
        int fired = 0;
        using ITimer timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.Zero);

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(1, fired);
    }

    [Fact]
    public void CreateTimer_ZeroDueTime_FiresBeforeReturning()
    {
        var time = new FakeTimeProvider();
        int fired = 0;

        using ITimer timer = time.CreateTimer(_ => fired++, null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);

        Assert.Equal(1, fired);
    }

    [Fact]
    public void CreateTimer_InfiniteDueTime_NeverFiresUntilChanged()
    {
        var time = new FakeTimeProvider();
        int fired = 0;
        using ITimer timer = time.CreateTimer(_ => fired++, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromDays(365));
        Assert.Equal(0, fired);
        Assert.Equal(0, time.PendingTimerCount);

        Assert.True(timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, fired);
    }

    [Fact]
    public void CreateTimer_NegativeDueTime_Throws()
    {
        var time = new FakeTimeProvider();

        Assert.Throws<ArgumentOutOfRangeException>(() => time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(-2), Timeout.InfiniteTimeSpan));
        Assert.Throws<ArgumentOutOfRangeException>(() => time.CreateTimer(_ => { }, null, TimeSpan.Zero, TimeSpan.FromSeconds(-2)));
    }

    [Fact]
    public void CreateTimer_NullCallback_Throws()
    {
        var time = new FakeTimeProvider();

        Assert.Throws<ArgumentNullException>(() => time.CreateTimer(null!, null, TimeSpan.Zero, TimeSpan.Zero));
    }

    [Fact]
    public void CreateTimer_CallbackSchedulesAnotherTimerDueBeforeTarget_BothFireInSameAdvance()
    {
        var time = new FakeTimeProvider();
        var fired = new List<DateTimeOffset>();
        ITimer? inner = null;
        using ITimer outer = time.CreateTimer(
            _ =>
            {
                fired.Add(time.GetUtcNow());
                inner = time.CreateTimer(_ => fired.Add(time.GetUtcNow()), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
            },
            null,
            TimeSpan.FromSeconds(1),
            Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal([Y2K.AddSeconds(1), Y2K.AddSeconds(3)], fired);
        inner?.Dispose();
    }

    [Fact]
    public void Change_Rescheduled_FiresAtNewDueTimeMeasuredFromNow()
    {
        var time = new FakeTimeProvider();
        var fired = new List<DateTimeOffset>();
        using ITimer timer = time.CreateTimer(_ => fired.Add(time.GetUtcNow()), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        time.Advance(TimeSpan.FromSeconds(0.5));

        Assert.True(timer.Change(TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan));
        time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal([Y2K.AddSeconds(3.5)], fired);
    }

    [Fact]
    public void Change_ToInfinite_StopsTimer()
    {
        var time = new FakeTimeProvider();
        int fired = 0;
        using ITimer timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        Assert.True(timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(0, fired);
    }

    [Fact]
    public void Change_AfterDispose_ReturnsFalseAndDoesNotFire()
    {
        var time = new FakeTimeProvider();
        int fired = 0;
        ITimer timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        timer.Dispose();

        Assert.False(timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, fired);
    }

    [Fact]
    public void Dispose_PeriodicTimer_StopsFurtherFirings()
    {
        var time = new FakeTimeProvider();
        int fired = 0;
        ITimer timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(2));

        timer.Dispose();
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(2, fired);
        Assert.Equal(0, time.PendingTimerCount);
    }

    [Fact]
    public async Task DisposeAsync_Timer_StopsTimer()
    {
        var time = new FakeTimeProvider();
        int fired = 0;
        ITimer timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        await timer.DisposeAsync();
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, fired);
    }

    [Fact]
    public void Dispose_FromInsideOwnPeriodicCallback_StopsWithinSameAdvance()
    {
        var time = new FakeTimeProvider();
        int fired = 0;
        ITimer? timer = null;
        timer = time.CreateTimer(
            _ =>
            {
                if (++fired == 2)
                {
                    timer!.Dispose();
                }
            },
            null,
            TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(1));

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(2, fired);
    }

    [Fact]
    public void Advance_CallbackThrows_RethrowsAfterFiringOthersAndReachingTarget()
    {
        var time = new FakeTimeProvider();
        bool laterFired = false;
        using ITimer failing = time.CreateTimer(_ => throw new InvalidOperationException("boom"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using ITimer later = time.CreateTimer(_ => laterFired = true, null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);

        var ex = Assert.Throws<InvalidOperationException>(() => time.Advance(TimeSpan.FromSeconds(5)));

        Assert.Equal("boom", ex.Message);
        Assert.True(laterFired);
        Assert.Equal(Y2K.AddSeconds(5), time.GetUtcNow());
    }

    [Fact]
    public void Advance_SeveralCallbacksThrow_ThrowsAggregateException()
    {
        var time = new FakeTimeProvider();
        using ITimer first = time.CreateTimer(_ => throw new InvalidOperationException("one"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using ITimer second = time.CreateTimer(_ => throw new InvalidOperationException("two"), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);

        var ex = Assert.Throws<AggregateException>(() => time.Advance(TimeSpan.FromSeconds(5)));

        Assert.Equal(["one", "two"], ex.InnerExceptions.Select(e => e.Message));
    }

    [Fact]
    public void PendingTimerCount_TimersCreatedFiredAndDisposed_CountsOnlyScheduledOnes()
    {
        var time = new FakeTimeProvider();
        ITimer oneShot = time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        ITimer periodic = time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        ITimer disposed = time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        disposed.Dispose();

        Assert.Equal(2, time.PendingTimerCount);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, time.PendingTimerCount);

        oneShot.Dispose();
        periodic.Dispose();
        Assert.Equal(0, time.PendingTimerCount);
    }

    [Fact]
    public async Task TaskDelay_WithFakeTime_CompletesOnlyWhenAdvancedPastDelay()
    {
        var time = new FakeTimeProvider();

        Task delay = Task.Delay(TimeSpan.FromSeconds(30), time);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(delay.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(delay.IsCompletedSuccessfully);
        await delay;
    }

    [Fact]
    public async Task TaskDelay_CancelledBeforeAdvance_ThrowsTaskCanceled()
    {
        var time = new FakeTimeProvider();
        using var cts = new CancellationTokenSource();

        Task delay = Task.Delay(TimeSpan.FromSeconds(30), time, cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delay);
        Assert.Equal(0, time.PendingTimerCount);
    }

    [Fact]
    public void CancellationTokenSource_WithFakeTimeout_CancelsWhenAdvancedPastTimeout()
    {
        var time = new FakeTimeProvider();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(cts.IsCancellationRequested);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(cts.IsCancellationRequested);
    }

    [Fact]
    public void CancelAfter_WithFakeTime_ReschedulesTimeout()
    {
        var time = new FakeTimeProvider();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);

        cts.CancelAfter(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(cts.IsCancellationRequested);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(cts.IsCancellationRequested);
    }

    [Fact]
    public void Advance_ConcurrentCallers_ClockMovesBySumAndEveryTimerFiresOnce()
    {
        var time = new FakeTimeProvider();
        int fired = 0;
        var timers = new ITimer[200];
        for (int i = 0; i < timers.Length; i++)
        {
            timers[i] = time.CreateTimer(_ => Interlocked.Increment(ref fired), null, TimeSpan.FromMilliseconds(i + 1), Timeout.InfiniteTimeSpan);
        }

        Parallel.For(0, 1000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ => time.Advance(TimeSpan.FromMilliseconds(1)));

        Assert.Equal(Y2K.AddSeconds(1), time.GetUtcNow());
        Assert.Equal(200, fired);
        foreach (ITimer timer in timers)
        {
            timer.Dispose();
        }
    }

    [Fact]
    public void ToString_Always_ReturnsCurrentTimeInIso8601()
    {
        var time = new FakeTimeProvider();
        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal("2000-01-01T01:00:00.0000000+00:00", time.ToString());
    }
}
