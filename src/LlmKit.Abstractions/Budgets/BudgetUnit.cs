namespace LlmKit;

/// <summary>What a budget counts.</summary>
public enum BudgetUnit
{
    /// <summary>US dollars of cost as priced by the model registry.</summary>
    Usd = 0,

    /// <summary>Tokens of input and output together.</summary>
    Tokens,
}
