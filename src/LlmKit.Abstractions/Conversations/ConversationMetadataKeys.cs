namespace LlmKit;

/// <summary>Keys of <see cref="Conversation.Metadata"/> the conversation service maintains.</summary>
public static class ConversationMetadataKeys
{
    /// <summary>The running summary of the older messages: <c>llmkit.summary</c>.</summary>
    public const string Summary = "llmkit.summary";

    /// <summary>The message id of the newest message the summary covers: <c>llmkit.summary.through</c>.</summary>
    public const string SummaryThrough = "llmkit.summary.through";

    /// <summary>The extracted key facts, as a JSON array of strings: <c>llmkit.facts</c>.</summary>
    public const string Facts = "llmkit.facts";
}
