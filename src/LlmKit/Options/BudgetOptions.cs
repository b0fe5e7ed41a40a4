namespace LlmKit;

/// <summary>
/// One budget as configured under <c>LlmKit:Budgets:{id}</c> (or added in code with <c>kit.AddBudget(...)</c>): a
/// limit in USD or tokens for one scope over one window. Define several for the same scope to limit several windows
/// at once.
/// </summary>
public sealed class BudgetOptions
{
    /// <summary>Gets or sets what the budget is counted over. Defaults to <see cref="BudgetScopeKind.Global"/>.</summary>
    public BudgetScopeKind Scope { get; set; } = BudgetScopeKind.Global;

    /// <summary>
    /// Gets or sets the tenant, user, API key id, model, conversation or custom scope the budget limits, or <c>*</c> (the
    /// default) for each of them on its own. Ignored for <see cref="BudgetScopeKind.Global"/>.
    /// </summary>
    public string ScopeValue { get; set; } = "*";

    /// <summary>Gets or sets what the budget counts. Defaults to <see cref="BudgetUnit.Usd"/>.</summary>
    public BudgetUnit Unit { get; set; } = BudgetUnit.Usd;

    /// <summary>Gets or sets the limit per window, in <see cref="Unit"/>; zero refuses every call. Required.</summary>
    public decimal Limit { get; set; }

    /// <summary>Gets or sets the window length. Defaults to <see cref="BudgetPeriod.Month"/>.</summary>
    public BudgetPeriod Period { get; set; } = BudgetPeriod.Month;

    /// <summary>Gets or sets a value indicating whether the window rolls (the last hour, 24 hours, 7 or 30 days) instead of following the calendar. Defaults to <see langword="false"/>.</summary>
    public bool Rolling { get; set; }

    /// <summary>Gets or sets the IANA time zone calendar windows follow, for example <c>Europe/Berlin</c>. Defaults to <c>UTC</c>.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Gets or sets the fractions of the limit that raise an alert once per window, or <see langword="null"/> (the default) for 0.5, 0.8 and 1.0. An empty list raises none.</summary>
    public List<decimal>? AlertThresholds { get; set; }

    /// <summary>Gets or sets what happens when the budget has no room. Defaults to <see cref="BudgetExhaustedAction.Reject"/>.</summary>
    public BudgetExhaustedAction OnExhausted { get; set; } = BudgetExhaustedAction.Reject;

    /// <summary>Gets or sets the cheaper logical model or model id calls go to when <see cref="OnExhausted"/> is <see cref="BudgetExhaustedAction.Degrade"/>. Defaults to <see langword="null"/>.</summary>
    public string? DegradeTo { get; set; }

    /// <summary>Gets or sets what a USD budget does with a call whose price is unknown. Defaults to <see cref="BudgetUnknownPriceAction.Reject"/>.</summary>
    public BudgetUnknownPriceAction OnUnknownPrice { get; set; } = BudgetUnknownPriceAction.Reject;

    /// <summary>Returns the options describing <paramref name="budget"/>.</summary>
    /// <param name="budget">The budget.</param>
    /// <returns>The options.</returns>
    public static BudgetOptions From(BudgetDefinition budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        return new BudgetOptions
        {
            Scope = budget.Scope.Kind,
            ScopeValue = budget.Scope.Value,
            Unit = budget.Unit,
            Limit = budget.Limit,
            Period = budget.Period,
            Rolling = budget.IsRolling,
            TimeZone = budget.TimeZoneId,
            AlertThresholds = [.. budget.AlertThresholds],
            OnExhausted = budget.OnExhausted,
            DegradeTo = budget.DegradeToModel,
            OnUnknownPrice = budget.OnUnknownPrice,
        };
    }

    /// <summary>Returns the budget these options describe.</summary>
    /// <param name="id">The budget id (its key under <c>LlmKit:Budgets</c>).</param>
    /// <returns>The budget definition.</returns>
    public BudgetDefinition ToDefinition(string id) => new()
    {
        Id = id,
        Scope = Scope == BudgetScopeKind.Global ? BudgetScope.Global : new BudgetScope(Scope, ScopeValue),
        Unit = Unit,
        Limit = Limit,
        Period = Period,
        IsRolling = Rolling,
        TimeZoneId = TimeZone,
        AlertThresholds = AlertThresholds is null ? [0.5m, 0.8m, 1.0m] : [.. AlertThresholds],
        OnExhausted = OnExhausted,
        DegradeToModel = DegradeTo,
        OnUnknownPrice = OnUnknownPrice,
    };
}
