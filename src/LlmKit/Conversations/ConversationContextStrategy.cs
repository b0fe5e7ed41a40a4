namespace LlmKit;

/// <summary>How the conversation service keeps a long conversation inside the model's context window.</summary>
public enum ConversationContextStrategy
{
    /// <summary>Drop the oldest message groups that do not fit (<see cref="DropOldestGroupsChatReducer"/>). The default.</summary>
    DropOldest = 0,

    /// <summary>
    /// Summarise the oldest groups with a (cheap) model once the prompt passes a trigger size
    /// (<see cref="SummarizingChatReducer"/>), then drop whatever still does not fit.
    /// </summary>
    Summarize,
}
