namespace LlmKit;

/// <summary>A numbered source offered to the model, and cited when the answer names its number.</summary>
/// <param name="Index">The source's number in the prompt, from 1.</param>
/// <param name="Chunk">The chunk: document, title, section, page and text.</param>
public sealed record KnowledgeCitation(int Index, KnowledgeChunkRecord Chunk)
{
    /// <summary>Gets the document id.</summary>
    public string DocumentId => Chunk.DocumentId;

    /// <summary>Gets the document's title.</summary>
    public string? Title => Chunk.Title;

    /// <summary>Gets the section, when the document has sections.</summary>
    public string? Section => Chunk.Section;

    /// <summary>Gets the page, when the document has pages.</summary>
    public int? Page => Chunk.Page;

    /// <summary>Gets the chunk's text.</summary>
    public string Text => Chunk.Text;
}
