namespace LlmKit;

/// <summary>The state of a stored message.</summary>
public enum ConversationMessageStatus
{
    /// <summary>The message is part of the conversation. The default.</summary>
    Completed = 0,

    /// <summary>A user message whose model call failed; kept so nothing the user wrote is lost, but not sent to the model again unless retried.</summary>
    Failed,
}
