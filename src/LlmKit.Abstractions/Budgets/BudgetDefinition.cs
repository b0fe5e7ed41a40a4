namespace LlmKit;

/// <summary>
/// A limit on spending (USD or tokens) for one scope over one window. Several definitions for the
/// same scope give several windows at once (for example an hourly and a monthly limit).
/// </summary>
public sealed record BudgetDefinition
{
    /// <summary>Gets the budget's id, unique in the app.</summary>
    public required string Id { get; init; }

    /// <summary>
    /// Gets the scope the budget applies to. A scope whose <see cref="BudgetScope.Value"/> is <c>*</c>
    /// applies to each tenant, user, key, model or conversation on its own.
    /// </summary>
    public required BudgetScope Scope { get; init; }

    /// <summary>Gets what the budget counts. Defaults to <see cref="BudgetUnit.Usd"/>.</summary>
    public BudgetUnit Unit { get; init; } = BudgetUnit.Usd;

    /// <summary>Gets the limit per window, in <see cref="Unit"/>.</summary>
    public required decimal Limit { get; init; }

    /// <summary>Gets the window length. Defaults to <see cref="BudgetPeriod.Month"/>.</summary>
    public BudgetPeriod Period { get; init; } = BudgetPeriod.Month;

    /// <summary>
    /// Gets a value indicating whether the window rolls (the last hour, 24 hours, 7 days or 30 days) rather than being
    /// aligned to the calendar. Spend is kept in 60 buckets per window, so a rolling window forgets spend up to 1/60
    /// of its length later than exactly (never earlier). Defaults to <see langword="false"/> (calendar-aligned).
    /// </summary>
    public bool IsRolling { get; init; }

    /// <summary>
    /// Gets the IANA (or Windows) time zone id calendar windows are aligned in, for example <c>Europe/Berlin</c>:
    /// a day runs from local midnight to local midnight (23 or 25 hours across a daylight-saving change), a week from
    /// Monday, a month from the 1st. Defaults to <c>UTC</c>. Ignored by rolling and lifetime budgets.
    /// </summary>
    public string TimeZoneId { get; init; } = "UTC";

    /// <summary>
    /// Gets the fractions of the limit at which an alert is raised once per window.
    /// Defaults to 0.5, 0.8 and 1.0.
    /// </summary>
    public IReadOnlyList<decimal> AlertThresholds { get; init; } = [0.5m, 0.8m, 1.0m];

    /// <summary>Gets what happens when the budget has no room. Defaults to <see cref="BudgetExhaustedAction.Reject"/>.</summary>
    public BudgetExhaustedAction OnExhausted { get; init; } = BudgetExhaustedAction.Reject;

    /// <summary>
    /// Gets what a <see cref="BudgetUnit.Usd"/> budget does with a call whose price is unknown (a model without
    /// prices in the registry). Defaults to <see cref="BudgetUnknownPriceAction.Reject"/>: an unpriced call never
    /// passes a USD budget silently. Token budgets always count tokens and ignore this setting.
    /// </summary>
    public BudgetUnknownPriceAction OnUnknownPrice { get; init; } = BudgetUnknownPriceAction.Reject;

    /// <summary>Gets the model or alias calls are sent to when <see cref="OnExhausted"/> is <see cref="BudgetExhaustedAction.Degrade"/>; <see langword="null"/> otherwise.</summary>
    public string? DegradeToModel { get; init; }
}
