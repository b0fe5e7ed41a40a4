namespace LlmKit;

/// <summary>How the budget stage estimates a call before admitting it (<c>LlmKit:BudgetAdmission</c>).</summary>
public sealed class BudgetAdmissionOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether input tokens are counted by the provider's count endpoint
    /// (<see cref="IExactTokenCounter"/>: Anthropic, Gemini) before each call, at the cost of one extra request.
    /// A single call can ask for it with <c>ChatOptions.AdditionalProperties["llmkit.exact_token_count"] = true</c>.
    /// Defaults to <see langword="false"/>: the local counter (exact tiktoken for OpenAI models, a calibrated estimate
    /// for others).
    /// </summary>
    public bool ExactInputTokens { get; set; }

    /// <summary>
    /// Gets or sets the output tokens reserved when neither the call (<c>ChatOptions.MaxOutputTokens</c>) nor the model
    /// registry gives a maximum and the context window is unknown. Defaults to 4096.
    /// </summary>
    public int DefaultMaxOutputTokens { get; set; } = 4096;
}
