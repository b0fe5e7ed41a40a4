namespace LlmKit;

/// <summary>A retrieval request to a knowledge source.</summary>
public sealed record KnowledgeQuery
{
    /// <summary>Gets the query text.</summary>
    public required string Text { get; init; }

    /// <summary>Gets the most chunks to return. Defaults to 5.</summary>
    public int Top { get; init; } = 5;

    /// <summary>Gets the lowest score to return. Defaults to no minimum.</summary>
    public double? MinScore { get; init; }

    /// <summary>Gets metadata every returned chunk must carry with equal values. Defaults to none.</summary>
    public IReadOnlyDictionary<string, string> Filter { get; init; } = new Dictionary<string, string>();
}
