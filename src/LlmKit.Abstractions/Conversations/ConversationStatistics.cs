namespace LlmKit;

/// <summary>Totals over the conversations that match a query.</summary>
public sealed record ConversationStatistics
{
    /// <summary>Gets the number of conversations.</summary>
    public long Conversations { get; init; }

    /// <summary>Gets the number of messages.</summary>
    public long Messages { get; init; }

    /// <summary>Gets the input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the known cost in USD.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Gets the most used tags with their counts, most used first.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> TopTags { get; init; } = [];
}
