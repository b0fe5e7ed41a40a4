namespace LlmKit;

/// <summary>What a USD budget does with a call whose price is unknown (the registry has no prices for its model).</summary>
public enum BudgetUnknownPriceAction
{
    /// <summary>
    /// Treat the call as not fitting: it is refused with a <see cref="BudgetExceededException"/> (or degraded, when
    /// the budget degrades). The default, because an unpriced call would otherwise spend without limit.
    /// </summary>
    Reject = 0,

    /// <summary>
    /// Admit the call without charging this budget: the call counts only against token budgets. Choose it when
    /// some models are priced outside LlmKit and a token budget bounds them.
    /// </summary>
    Skip,
}
