namespace LlmKit;

/// <summary>How a structured answer was asked for.</summary>
public enum StructuredOutputPath
{
    /// <summary>The provider's own schema support (OpenAI <c>json_schema</c> strict, Gemini's response schema, Anthropic's structured outputs, Ollama's <c>format</c>).</summary>
    Native,

    /// <summary>The model's registry entry lacks structured output: the schema went into the instructions and the answer was extracted from its text.</summary>
    Emulated,
}
