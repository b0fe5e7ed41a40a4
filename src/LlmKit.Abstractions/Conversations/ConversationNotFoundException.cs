namespace LlmKit;

/// <summary>A conversation that an operation needs does not exist.</summary>
public class ConversationNotFoundException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ConversationNotFoundException()
        : base("The conversation does not exist. Create it first, or ask the conversation service to create missing conversations.")
    {
    }

    /// <summary>Initializes a new instance for the conversation with the given id.</summary>
    /// <param name="conversationId">The id that was not found.</param>
    public ConversationNotFoundException(string conversationId)
        : base($"Conversation '{conversationId}' does not exist. Create it with IConversationStore.CreateAsync, or send with ConversationSendOptions.CreateIfMissing set.")
    {
        ConversationId = conversationId;
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ConversationNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the id of the missing conversation, or <see langword="null"/>.</summary>
    public string? ConversationId { get; }
}
