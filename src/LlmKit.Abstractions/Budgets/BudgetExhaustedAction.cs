namespace LlmKit;

/// <summary>What happens to a call when a budget has no room left for it.</summary>
public enum BudgetExhaustedAction
{
    /// <summary>Refuse the call with a <see cref="BudgetExceededException"/>. The default.</summary>
    Reject = 0,

    /// <summary>Send the call to the budget's cheaper <see cref="BudgetDefinition.DegradeToModel"/> instead.</summary>
    Degrade,
}
