namespace LlmKit;

/// <summary>What a model can do.</summary>
[Flags]
public enum ModelCapabilities
{
    /// <summary>Nothing known.</summary>
    None = 0,

    /// <summary>Chat completions.</summary>
    Chat = 1 << 0,

    /// <summary>Streamed responses.</summary>
    Streaming = 1 << 1,

    /// <summary>Tool (function) calling.</summary>
    Tools = 1 << 2,

    /// <summary>Several tool calls in one response.</summary>
    ParallelToolCalls = 1 << 3,

    /// <summary>JSON output constrained by a JSON schema.</summary>
    JsonSchema = 1 << 4,

    /// <summary>Image input.</summary>
    Vision = 1 << 5,

    /// <summary>Audio input or output.</summary>
    Audio = 1 << 6,

    /// <summary>Reasoning (thinking) tokens.</summary>
    Reasoning = 1 << 7,

    /// <summary>Provider-side prompt caching.</summary>
    PromptCaching = 1 << 8,

    /// <summary>Text embeddings.</summary>
    Embeddings = 1 << 9,
}
