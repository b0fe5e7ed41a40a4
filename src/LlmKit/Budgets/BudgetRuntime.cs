namespace LlmKit;

/// <summary>One budget definition with what every call needs precomputed: its time zone, rolling length, sorted thresholds, current window.</summary>
internal sealed class BudgetRuntime
{
    private Window? _current;

    public BudgetRuntime(BudgetDefinition definition, TimeZoneInfo zone)
    {
        Definition = definition;
        Zone = zone;
        RollingPeriod = definition.IsRolling && definition.Period != BudgetPeriod.Lifetime ? RollingLength(definition.Period) : TimeSpan.Zero;
        var thresholds = definition.AlertThresholds.Distinct().ToArray();
        Array.Sort(thresholds);
        Thresholds = thresholds;
        IsWildcard = definition.Scope.Kind != BudgetScopeKind.Global && definition.Scope.Value == "*";
        IdList = Array.AsReadOnly([definition.Id]);
    }

    /// <summary>Gets a read-only one-element list holding the id, shared by reservations that hold only this budget.</summary>
    public IReadOnlyList<string> IdList { get; }

    public BudgetDefinition Definition { get; }

    public TimeZoneInfo Zone { get; }

    public TimeSpan RollingPeriod { get; }

    public decimal[] Thresholds { get; }

    public bool IsWildcard { get; }

    public string Id => Definition.Id;

    public bool IsUsd => Definition.Unit == BudgetUnit.Usd;

    /// <summary>The length of a rolling window: an hour, 24 hours, 7 days or 30 days.</summary>
    public static TimeSpan RollingLength(BudgetPeriod period) => period switch
    {
        BudgetPeriod.Hour => TimeSpan.FromHours(1),
        BudgetPeriod.Day => TimeSpan.FromDays(1),
        BudgetPeriod.Week => TimeSpan.FromDays(7),
        _ => TimeSpan.FromDays(30),
    };

    /// <summary>Returns whether the budget charges <paramref name="scope"/> (a scope the call belongs to).</summary>
    public bool Covers(BudgetScope scope)
        => scope.Kind == Definition.Scope.Kind
            && (scope.Kind == BudgetScopeKind.Global || IsWildcard || string.Equals(scope.Value, Definition.Scope.Value, StringComparison.Ordinal));

    /// <summary>The key of the window that holds spend at <paramref name="now"/>.</summary>
    public BudgetWindowKey KeyAt(BudgetScope scope, DateTimeOffset now)
        => RollingPeriod > TimeSpan.Zero || Definition.Period == BudgetPeriod.Lifetime
            ? new BudgetWindowKey(Definition.Id, scope, DateTimeOffset.MinValue, RollingPeriod)
            : new BudgetWindowKey(Definition.Id, scope, WindowAt(now).Start);

    /// <summary>The key alerts are counted in: the calendar window, or for a rolling budget the period since the epoch.</summary>
    public BudgetWindowKey AlertKeyAt(BudgetScope scope, DateTimeOffset now)
    {
        if (RollingPeriod > TimeSpan.Zero)
        {
            long start = now.UtcTicks / RollingPeriod.Ticks * RollingPeriod.Ticks;
            return new BudgetWindowKey(Definition.Id, scope, new DateTimeOffset(start, TimeSpan.Zero), RollingPeriod);
        }

        return KeyAt(scope, now);
    }

    /// <summary>The window at <paramref name="now"/>: calendar-aligned in the budget's time zone, the last period for a rolling budget, all time for a lifetime one.</summary>
    public (DateTimeOffset Start, DateTimeOffset? End) WindowAt(DateTimeOffset now)
    {
        if (Definition.Period == BudgetPeriod.Lifetime)
        {
            return (DateTimeOffset.MinValue, null);
        }

        if (RollingPeriod > TimeSpan.Zero)
        {
            return (now - RollingPeriod, null);
        }

        var current = _current;
        if (current is not null && now >= current.Start && now < current.End)
        {
            return (current.Start, current.End);
        }

        current = Calendar(Definition.Period, Zone, now);
        _current = current;
        return (current.Start, current.End);
    }

    /// <summary>The calendar window of <paramref name="period"/> holding <paramref name="now"/>, in <paramref name="zone"/>'s local time.</summary>
    internal static Window Calendar(BudgetPeriod period, TimeZoneInfo zone, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        switch (period)
        {
            case BudgetPeriod.Hour:
                // Offsets change on hour boundaries, so the local hour began this many ticks ago.
                var start = now.AddTicks(-(local.Ticks % TimeSpan.TicksPerHour));
                return new Window(start.ToUniversalTime(), start.ToUniversalTime().AddHours(1));
            case BudgetPeriod.Day:
                return new Window(Instant(local.Date, zone), Instant(local.Date.AddDays(1), zone));
            case BudgetPeriod.Week:
                var monday = local.Date.AddDays(-(((int)local.DayOfWeek + 6) % 7));
                return new Window(Instant(monday, zone), Instant(monday.AddDays(7), zone));
            default:
                var first = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
                return new Window(Instant(first, zone), Instant(first.AddMonths(1), zone));
        }
    }

    /// <summary>
    /// The first instant whose local time in <paramref name="zone"/> is <paramref name="local"/>: for a time skipped by a
    /// daylight-saving change, the instant of the change; for a time that happens twice, the first occurrence.
    /// </summary>
    internal static DateTimeOffset Instant(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (zone.IsInvalidTime(local))
        {
            // Skipped: use the offset in force before the change, which lands on the change itself.
            offset = zone.GetUtcOffset(local.AddHours(-6));
        }
        else if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            offset = offsets[0] > offsets[1] ? offsets[0] : offsets[1];
        }
        else
        {
            offset = zone.GetUtcOffset(local);
        }

        return new DateTimeOffset(local.Ticks - offset.Ticks, TimeSpan.Zero);
    }

    internal sealed record Window(DateTimeOffset Start, DateTimeOffset End);
}
