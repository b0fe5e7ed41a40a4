namespace LlmKit;

/// <summary>One page of a conversation listing (conversations without their messages).</summary>
public sealed record ConversationPage
{
    /// <summary>Gets the conversations of the page.</summary>
    public required IReadOnlyList<Conversation> Items { get; init; }

    /// <summary>Gets the token for the next page, or <see langword="null"/> when this is the last.</summary>
    public string? ContinuationToken { get; init; }
}
