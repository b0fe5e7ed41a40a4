namespace LlmKit;

/// <summary>
/// The cost of one call, itemised. When a price needed for the call is not known the cost is
/// explicitly unknown (<see cref="IsKnown"/> is <see langword="false"/> and <see cref="Total"/> is
/// <see langword="null"/>), never zero.
/// </summary>
public sealed record CallCost
{
    /// <summary>Gets the ISO currency code. Always <c>USD</c>.</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>Gets the total cost, or <see langword="null"/> when unknown.</summary>
    public decimal? Total { get; init; }

    /// <summary>Gets a value indicating whether the cost is known.</summary>
    public bool IsKnown => Total is not null;

    /// <summary>Gets why the cost is unknown (for example <c>no price for model 'x'</c>), or <see langword="null"/> when known.</summary>
    public string? UnknownReason { get; init; }

    /// <summary>Gets the itemised lines. Empty when unknown.</summary>
    public IReadOnlyList<CostItem> Items { get; init; } = [];

    /// <summary>Gets the pricing tier applied (<c>standard</c>, <c>batch</c>, <c>priority</c>, <c>flex</c>, a long-context tier such as <c>above_200k</c>, or a service tier's long-context tier such as <c>flex_above_272k</c>); an unknown cost reports the tier that was asked for. Defaults to <c>standard</c>.</summary>
    public string Tier { get; init; } = "standard";

    /// <summary>Returns an unknown cost with the reason.</summary>
    /// <param name="reason">Why the cost is unknown.</param>
    /// <returns>The unknown cost.</returns>
    public static CallCost Unknown(string reason) => new() { UnknownReason = reason };
}
