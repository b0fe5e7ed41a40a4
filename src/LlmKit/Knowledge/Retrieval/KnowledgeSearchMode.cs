namespace LlmKit;

/// <summary>How the knowledge service ranks chunks.</summary>
public enum KnowledgeSearchMode
{
    /// <summary>Vector similarity and keyword (BM25) rankings fused with reciprocal rank fusion; keyword only when there is no embedding generator.</summary>
    Hybrid,

    /// <summary>Vector similarity only; needs an embedding generator.</summary>
    Vector,

    /// <summary>Keyword (BM25) ranking only; needs no embedding generator.</summary>
    Keyword,
}
