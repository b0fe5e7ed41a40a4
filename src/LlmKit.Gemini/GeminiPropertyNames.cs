namespace LlmKit;

/// <summary>
/// Keys the Gemini provider reads from and writes to <c>AdditionalProperties</c> dictionaries: on
/// <c>ChatOptions</c> (request settings with no Microsoft.Extensions.AI property; keys starting with
/// <c>llmkit.</c> never go on the wire), on <c>AIContent</c> (round-tripped part data) and on
/// <c>ChatResponse</c> (response facts).
/// </summary>
public static class GeminiPropertyNames
{
    /// <summary>
    /// On an <c>AIContent</c>: the part's <c>thoughtSignature</c> (a base64 <see cref="string"/>), written back on
    /// the same part when the conversation is sent again. Gemini 2.5 and 3 need it to keep their reasoning across
    /// tool calls (Gemini 3 rejects function calls sent back without it). On a <c>TextReasoningContent</c> the
    /// signature is also in <c>ProtectedData</c>.
    /// </summary>
    public const string ThoughtSignature = "gemini.thought_signature";

    /// <summary>
    /// On a <c>FunctionResultContent</c>: the function name to send in <c>functionResponse.name</c> when the
    /// conversation holds no <c>FunctionCallContent</c> with the same call id (a <see cref="string"/>).
    /// </summary>
    public const string FunctionName = "gemini.function_name";

    /// <summary>On a <c>ChatResponse</c> (or the last stream update): the candidate's <c>finishMessage</c> (a <see cref="string"/>), when Gemini sent one.</summary>
    public const string FinishMessage = "gemini.finish_message";

    /// <summary>On a <c>ChatResponse</c> (or the last stream update): the candidate's <c>safetyRatings</c> (a <c>JsonElement</c>), kept when the output was filtered.</summary>
    public const string SafetyRatings = "gemini.safety_ratings";

    /// <summary>On a <c>ChatResponse</c> (or the last stream update): the candidate's <c>groundingMetadata</c> (a <c>JsonElement</c>), sent with Google Search grounding.</summary>
    public const string GroundingMetadata = "gemini.grounding_metadata";

    /// <summary>On a <c>ChatResponse</c> (or the last stream update): the candidate's <c>citationMetadata</c> (a <c>JsonElement</c>).</summary>
    public const string CitationMetadata = "gemini.citation_metadata";

    /// <summary>
    /// In <c>ChatOptions.AdditionalProperties</c>: an exact <c>thinkingConfig.thinkingBudget</c> in tokens (an
    /// <see cref="int"/>; <c>0</c> turns thinking off where the model allows it, <c>-1</c> lets the model decide).
    /// Overrides the budget derived from <c>ChatOptions.Reasoning</c>. Never sent as a field of its own.
    /// </summary>
    public const string ThinkingBudget = "llmkit.gemini.thinking_budget";

    /// <summary>
    /// In <c>ChatOptions.AdditionalProperties</c>: an exact <c>thinkingConfig.thinkingLevel</c> for Gemini 3 models
    /// (a <see cref="string"/> such as <c>minimal</c>, <c>low</c>, <c>medium</c> or <c>high</c>). Overrides the
    /// level derived from <c>ChatOptions.Reasoning</c>. Never sent as a field of its own.
    /// </summary>
    public const string ThinkingLevel = "llmkit.gemini.thinking_level";
}
