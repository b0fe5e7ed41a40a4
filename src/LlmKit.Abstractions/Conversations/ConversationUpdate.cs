using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Changes to a conversation's title, tags or metadata, and the usage of an auxiliary model call to add to its totals;
/// a property left <see langword="null"/> is not changed.
/// </summary>
public sealed record ConversationUpdate
{
    /// <summary>Gets the new title.</summary>
    public string? Title { get; init; }

    /// <summary>Gets the new tags, replacing the old ones.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Gets metadata entries to set; an entry whose value is <see langword="null"/> is removed.</summary>
    public IReadOnlyDictionary<string, string?>? Metadata { get; init; }

    /// <summary>
    /// Gets the usage of an auxiliary model call made for the conversation (a summary of older messages, key-fact
    /// extraction), or <see langword="null"/>. When this or <see cref="AuxiliaryCost"/> is set, the update records one
    /// auxiliary call: its input and output tokens are added to <see cref="Conversation.InputTokens"/> and
    /// <see cref="Conversation.OutputTokens"/> and to <see cref="Conversation.AuxiliaryInputTokens"/> and
    /// <see cref="Conversation.AuxiliaryOutputTokens"/>, in the same atomic write as the other changes and the version
    /// increment (so a version conflict adds nothing). Token counts must not be negative. Defaults to <see langword="null"/>.
    /// </summary>
    public UsageDetails? AuxiliaryUsage { get; init; }

    /// <summary>
    /// Gets the cost of the auxiliary call, or <see langword="null"/>. A known cost is added to
    /// <see cref="Conversation.CostUsd"/> and <see cref="Conversation.AuxiliaryCostUsd"/>; an unknown cost (or none, when
    /// <see cref="AuxiliaryUsage"/> is set) adds nothing to them and is counted in
    /// <see cref="Conversation.AuxiliaryUnknownCostCalls"/> instead, never as zero. A known cost must not be negative.
    /// Defaults to <see langword="null"/>.
    /// </summary>
    public CallCost? AuxiliaryCost { get; init; }
}
