namespace LlmKit;

/// <summary>A passage retrieved from a knowledge source, with what is needed to cite it.</summary>
public sealed record KnowledgeChunk
{
    /// <summary>Gets the chunk id, unique within its source.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the text of the passage.</summary>
    public required string Text { get; init; }

    /// <summary>Gets the id of the document the passage belongs to.</summary>
    public string? DocumentId { get; init; }

    /// <summary>Gets the document's title, for citations.</summary>
    public string? Title { get; init; }

    /// <summary>Gets the document's address, for citations.</summary>
    public Uri? Uri { get; init; }

    /// <summary>Gets the relevance score; higher is more relevant. Scales differ between sources.</summary>
    public double Score { get; init; }

    /// <summary>Gets free-form metadata. Defaults to empty.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
