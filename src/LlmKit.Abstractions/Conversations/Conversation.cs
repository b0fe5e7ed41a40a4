namespace LlmKit;

/// <summary>A persisted conversation with its messages.</summary>
public sealed record Conversation
{
    /// <summary>Gets the conversation id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the title, or <see langword="null"/>.</summary>
    public string? Title { get; init; }

    /// <summary>Gets the tenant, or <see langword="null"/>.</summary>
    public string? TenantId { get; init; }

    /// <summary>Gets the user, or <see langword="null"/>.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets the tags. Defaults to none.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Gets free-form metadata (summaries and extracted facts are kept here too). Defaults to empty.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets when the conversation was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the conversation last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Gets the model of the latest assistant message, or <see langword="null"/>.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the input tokens of all calls: the answers' and the auxiliary calls' (summaries, fact extraction).</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens of all calls: the answers' and the auxiliary calls' (summaries, fact extraction).</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the known cost of all calls in USD: the answers' and the auxiliary calls' (summaries, fact extraction).</summary>
    public decimal CostUsd { get; init; }

    /// <summary>
    /// Gets the input tokens of the auxiliary calls made for the conversation (summaries of older messages, key-fact
    /// extraction), a part of <see cref="InputTokens"/>. Set by the store from <see cref="ConversationUpdate.AuxiliaryUsage"/>;
    /// kept as given when a conversation is created (as when importing). Defaults to 0.
    /// </summary>
    public long AuxiliaryInputTokens { get; init; }

    /// <summary>Gets the output tokens of the auxiliary calls, a part of <see cref="OutputTokens"/>. Defaults to 0.</summary>
    public long AuxiliaryOutputTokens { get; init; }

    /// <summary>Gets the known cost of the auxiliary calls in USD, a part of <see cref="CostUsd"/>. Defaults to 0.</summary>
    public decimal AuxiliaryCostUsd { get; init; }

    /// <summary>
    /// Gets the number of auxiliary calls whose cost is unknown (no price for the model, or no usage reported): their
    /// tokens are counted, their cost is in neither <see cref="CostUsd"/> nor <see cref="AuxiliaryCostUsd"/>, so when this
    /// is above 0 the cost totals are a lower bound. Defaults to 0.
    /// </summary>
    public long AuxiliaryUnknownCostCalls { get; init; }

    /// <summary>Gets the concurrency version; every change increments it. Pass it back to detect conflicting updates.</summary>
    public long Version { get; init; }

    /// <summary>Gets the number of stored messages, also when the conversation is loaded without them (set by the store).</summary>
    public long MessageCount { get; init; }

    /// <summary>Gets the messages, in order. Empty when loaded without messages.</summary>
    public IReadOnlyList<ConversationMessage> Messages { get; init; } = [];
}
