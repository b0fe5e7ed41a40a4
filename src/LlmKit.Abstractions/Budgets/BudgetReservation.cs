namespace LlmKit;

/// <summary>
/// An amount held against every budget in scope of one call until the call's real cost is known and
/// settled with <see cref="IBudgetManager.SettleAsync"/> (or released if the call never ran).
/// </summary>
public sealed record BudgetReservation
{
    /// <summary>Gets the reservation id, unique per call; settling or releasing twice with it has no further effect.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the reserved cost in USD (estimated input plus the maximum output); zero when no USD budget holds it.</summary>
    public decimal ReservedUsd { get; init; }

    /// <summary>Gets the reserved tokens (input plus the maximum output); zero when no token budget holds them.</summary>
    public long ReservedTokens { get; init; }

    /// <summary>Gets the ids of the budgets the reservation holds against. Defaults to empty.</summary>
    public IReadOnlyList<string> BudgetIds { get; init; } = [];

    /// <summary>Gets the budget windows the reservation holds against, one per budget and concrete scope. Defaults to empty.</summary>
    public IReadOnlyList<BudgetWindowKey> Windows { get; init; } = [];

    /// <summary>
    /// Gets the cheaper model a budget asks the call to use instead, or <see langword="null"/> when not degraded.
    /// A reservation that degrades holds nothing: the caller admits the call again for this model.
    /// </summary>
    public string? DegradedToModel { get; init; }
}
