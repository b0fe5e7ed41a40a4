namespace LlmKit;

/// <summary>A conversation that matched a full-text search, with the best matching snippet.</summary>
public sealed record ConversationSearchHit
{
    /// <summary>Gets the conversation id.</summary>
    public required string ConversationId { get; init; }

    /// <summary>Gets the conversation title, or <see langword="null"/>.</summary>
    public string? Title { get; init; }

    /// <summary>Gets the id of the matching message, or <see langword="null"/> when the title matched.</summary>
    public string? MessageId { get; init; }

    /// <summary>Gets a snippet of the matching text.</summary>
    public required string Snippet { get; init; }

    /// <summary>Gets the relevance; higher is better.</summary>
    public double Rank { get; init; }
}
