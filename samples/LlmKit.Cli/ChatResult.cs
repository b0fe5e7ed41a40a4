namespace LlmKit.Cli;

/// <summary>The --json output of <c>llmkit chat</c>.</summary>
internal sealed record ChatResult(
    string Text,
    string? Model,
    string? Provider,
    string? FinishReason,
    ChatUsage Usage,
    ChatCost Cost,
    string? ConversationId,
    bool Cached,
    decimal? SavedCost,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] System.Text.Json.JsonElement? Structured = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] int? RepairRounds = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? StructuredPath = null);

/// <summary>Token counts of a chat turn.</summary>
internal sealed record ChatUsage(long? InputTokens, long? OutputTokens, long? CachedInputTokens, long? ReasoningTokens);

/// <summary>The cost of a chat turn; <c>total</c> is null when a price is unknown.</summary>
internal sealed record ChatCost(decimal? Total, bool Known);
