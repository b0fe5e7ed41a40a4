namespace LlmKit;

/// <summary>A chunk found by <see cref="KnowledgeBase.SearchAsync"/>, with its score.</summary>
/// <param name="Chunk">The stored chunk.</param>
/// <param name="Score">The score: higher is better; the scale depends on <see cref="KnowledgeSearchOptions.Mode"/>.</param>
public sealed record KnowledgeSearchResult(KnowledgeChunkRecord Chunk, double Score);
