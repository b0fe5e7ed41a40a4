namespace LlmKit;

/// <summary>One line of a cost breakdown: a kind of token, how many, at what rate, for how much.</summary>
/// <param name="Kind">What is billed: <c>input</c>, <c>cached_input</c>, <c>cache_write</c>, <c>cache_write_1h</c>, <c>output</c>, <c>reasoning</c>.</param>
/// <param name="Tokens">How many tokens of this kind.</param>
/// <param name="UsdPerMillionTokens">The rate applied, in USD per one million tokens.</param>
/// <param name="Amount">The cost of this line in USD.</param>
public readonly record struct CostItem(string Kind, long Tokens, decimal UsdPerMillionTokens, decimal Amount);
