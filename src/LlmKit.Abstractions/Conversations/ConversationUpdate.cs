namespace LlmKit;

/// <summary>Changes to a conversation's title, tags or metadata; a property left <see langword="null"/> is not changed.</summary>
public sealed record ConversationUpdate
{
    /// <summary>Gets the new title.</summary>
    public string? Title { get; init; }

    /// <summary>Gets the new tags, replacing the old ones.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Gets metadata entries to set; an entry whose value is <see langword="null"/> is removed.</summary>
    public IReadOnlyDictionary<string, string?>? Metadata { get; init; }
}
