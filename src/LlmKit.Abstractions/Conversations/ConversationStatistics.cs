namespace LlmKit;

/// <summary>Totals over the conversations that match a query.</summary>
public sealed record ConversationStatistics
{
    /// <summary>Gets the number of conversations.</summary>
    public long Conversations { get; init; }

    /// <summary>Gets the number of messages.</summary>
    public long Messages { get; init; }

    /// <summary>Gets the input tokens, auxiliary calls included.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens, auxiliary calls included.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the known cost in USD, auxiliary calls included.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Gets the input tokens of the auxiliary calls (summaries, fact extraction), a part of <see cref="InputTokens"/>.</summary>
    public long AuxiliaryInputTokens { get; init; }

    /// <summary>Gets the output tokens of the auxiliary calls, a part of <see cref="OutputTokens"/>.</summary>
    public long AuxiliaryOutputTokens { get; init; }

    /// <summary>Gets the known cost of the auxiliary calls in USD, a part of <see cref="CostUsd"/>.</summary>
    public decimal AuxiliaryCostUsd { get; init; }

    /// <summary>Gets the number of auxiliary calls whose cost is unknown (see <see cref="Conversation.AuxiliaryUnknownCostCalls"/>).</summary>
    public long AuxiliaryUnknownCostCalls { get; init; }

    /// <summary>Gets the most used tags with their counts, most used first.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> TopTags { get; init; } = [];
}
