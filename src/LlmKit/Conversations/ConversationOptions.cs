namespace LlmKit;

/// <summary>
/// Settings of the conversation service, bound from the <c>LlmKit:Conversations</c> configuration section and
/// validated at start-up.
/// </summary>
public sealed class ConversationOptions
{
    /// <summary>Gets or sets the system prompt put first in every turn, or <see langword="null"/> for none. Defaults to none.</summary>
    public string? SystemPrompt { get; set; }

    /// <summary>Gets or sets how long conversations are fitted into the window. Defaults to <see cref="ConversationContextStrategy.DropOldest"/>.</summary>
    public ConversationContextStrategy ContextStrategy { get; set; } = ConversationContextStrategy.DropOldest;

    /// <summary>
    /// Gets or sets the (cheap) model that writes summaries, or <see langword="null"/> to use the conversation's model.
    /// </summary>
    public string? SummarizerModel { get; set; }

    /// <summary>
    /// Gets or sets the prompt size in tokens above which older messages are summarised, or <see langword="null"/> to use
    /// <see cref="SummaryTriggerRatio"/> of the prompt budget. Defaults to <see langword="null"/>.
    /// </summary>
    public int? SummaryTriggerTokens { get; set; }

    /// <summary>
    /// Gets or sets the share of the prompt budget (context window less reserved output) above which older messages are
    /// summarised, when <see cref="SummaryTriggerTokens"/> is not set. Defaults to 0.75.
    /// </summary>
    public double SummaryTriggerRatio { get; set; } = 0.75;

    /// <summary>
    /// Gets or sets the share of the trigger size kept verbatim after a summarising pass (the rest is summarised), so the
    /// summariser does not run again on the next turns. Defaults to 0.5.
    /// </summary>
    public double SummaryTargetRatio { get; set; } = 0.5;

    /// <summary>Gets or sets the most tokens a summary may take. Defaults to 512.</summary>
    public int SummaryMaxTokens { get; set; } = 512;

    /// <summary>
    /// Gets or sets the output tokens to reserve when neither the call's <c>MaxOutputTokens</c> nor the model registry
    /// gives one, or <see langword="null"/>. Defaults to 4,096.
    /// </summary>
    public int? DefaultReservedOutputTokens { get; set; } = 4096;

    /// <summary>
    /// Gets or sets the context window to assume for models the registry does not know, or <see langword="null"/> to
    /// reject such models with a clear error. Defaults to <see langword="null"/>.
    /// </summary>
    public int? DefaultContextWindow { get; set; }

    /// <summary>Gets or sets the memory settings (fact extraction and keyword recall). Defaults to off.</summary>
    public ConversationMemoryOptions Memory { get; set; } = new();
}
