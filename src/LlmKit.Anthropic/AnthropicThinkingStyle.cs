namespace LlmKit;

/// <summary>How an <see cref="AnthropicChatClient"/> turns <c>ChatOptions.Reasoning</c> into Anthropic's <c>thinking</c> settings.</summary>
public enum AnthropicThinkingStyle
{
    /// <summary>
    /// Chooses by model id: <see cref="Budgeted"/> for the models that predate adaptive thinking (Claude 3.x,
    /// Claude Opus 4, 4.1 and 4.5, Sonnet 4 and 4.5, Haiku 4.5), <see cref="Adaptive"/> for every other model.
    /// The default.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// <c>thinking: {"type": "adaptive"}</c> with the effort sent as <c>output_config.effort</c>
    /// (<c>low</c>, <c>medium</c>, <c>high</c>, <c>xhigh</c>). Required by Claude Opus 4.7 and later.
    /// </summary>
    Adaptive = 1,

    /// <summary>
    /// <c>thinking: {"type": "enabled", "budget_tokens": N}</c> with N derived from the effort (low 2048,
    /// medium 8192, high 16384, extra high 32768), kept at least 1024 and below <c>max_tokens</c>.
    /// </summary>
    Budgeted = 2,
}
