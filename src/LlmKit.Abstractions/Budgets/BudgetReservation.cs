namespace LlmKit;

/// <summary>
/// An amount held against every budget in scope of one call until the call's real cost is known and
/// settled with <see cref="IBudgetManager.SettleAsync"/> (or released if the call never ran).
/// </summary>
public sealed record BudgetReservation
{
    /// <summary>Gets the reservation id, unique per call.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the reserved cost in USD (estimated input plus the maximum output).</summary>
    public decimal ReservedUsd { get; init; }

    /// <summary>Gets the reserved tokens (input plus the maximum output).</summary>
    public long ReservedTokens { get; init; }

    /// <summary>Gets the ids of the budgets the reservation holds against.</summary>
    public IReadOnlyList<string> BudgetIds { get; init; } = [];

    /// <summary>Gets the model to use instead of the requested one when a budget degraded the call; <see langword="null"/> when not degraded.</summary>
    public string? DegradedToModel { get; init; }
}
