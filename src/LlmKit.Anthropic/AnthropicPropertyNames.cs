namespace LlmKit;

/// <summary>
/// Keys of <c>AdditionalProperties</c> entries that the Anthropic provider reads (on <c>ChatOptions</c>,
/// <c>ChatMessage</c>, <c>AIContent</c> and tools) or writes (on responses and contents). Keys that start with
/// <c>anthropic.</c> are never sent as raw request fields.
/// </summary>
public static class AnthropicPropertyNames
{
    /// <summary>
    /// <c>anthropic.cache_control</c>: a prompt-cache breakpoint. On an <c>AIContent</c> it marks that block; on a
    /// <c>ChatMessage</c> the message's last block; on an <c>AITool</c> that tool; on <c>ChatOptions</c> it is sent
    /// as the top-level <c>cache_control</c> (automatic caching). The value is a type name such as
    /// <c>"ephemeral"</c>, or the whole object as JSON text, a <c>JsonElement</c>, a <c>JsonNode</c> or a
    /// dictionary, for example <c>{"type":"ephemeral","ttl":"1h"}</c>.
    /// </summary>
    public const string CacheControl = "anthropic.cache_control";

    /// <summary>
    /// <c>anthropic.redacted_thinking</c>: <see langword="true"/> on a <c>TextReasoningContent</c> that holds a
    /// <c>redacted_thinking</c> block; its opaque <c>data</c> is in <c>ProtectedData</c>. Set by the provider on
    /// responses, read when the content is sent back.
    /// </summary>
    public const string RedactedThinking = "anthropic.redacted_thinking";

    /// <summary>
    /// <c>anthropic.raw_arguments</c>: the raw text of tool-call arguments that were not valid JSON (a tool call
    /// cut off at <c>max_tokens</c>), on the <c>FunctionCallContent</c> whose <c>Exception</c> says why.
    /// </summary>
    public const string RawArguments = "anthropic.raw_arguments";

    /// <summary><c>anthropic.stop_sequence</c>: on a response, the stop sequence that ended it (a <see cref="string"/>).</summary>
    public const string StopSequence = "anthropic.stop_sequence";

    /// <summary>
    /// <c>anthropic.thinking_budget_tokens</c>: on <c>ChatOptions</c>, an <see cref="int"/> that enables thinking with
    /// exactly this <c>budget_tokens</c>, whatever <c>ChatOptions.Reasoning</c> says.
    /// </summary>
    public const string ThinkingBudgetTokens = "anthropic.thinking_budget_tokens";

    /// <summary>
    /// <c>anthropic.effort</c>: on <c>ChatOptions</c>, a raw <c>output_config.effort</c> value (for example
    /// <c>"max"</c>) that replaces the one derived from <c>ChatOptions.Reasoning</c>.
    /// </summary>
    public const string Effort = "anthropic.effort";

    /// <summary><c>anthropic.strict</c>: on an <c>AIFunctionDeclaration</c>, <see langword="true"/> sends the tool with <c>"strict": true</c>.</summary>
    public const string Strict = "anthropic.strict";
}
