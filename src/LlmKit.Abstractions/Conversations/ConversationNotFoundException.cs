namespace LlmKit;

/// <summary>A conversation the operation needs does not exist (it was never created or has been deleted).</summary>
public class ConversationNotFoundException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ConversationNotFoundException()
        : base("The conversation does not exist. Create it first, or check the id.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public ConversationNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ConversationNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Returns the exception for a conversation id that is not stored.</summary>
    /// <param name="conversationId">The id the caller gave.</param>
    /// <returns>The exception.</returns>
    public static ConversationNotFoundException ForId(string conversationId)
        => new($"Conversation '{conversationId}' does not exist. Create it first, or check the id.") { ConversationId = conversationId };

    /// <summary>Gets the id of the missing conversation, or <see langword="null"/>.</summary>
    public string? ConversationId { get; private init; }

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => LlmFailureKind.NotFound;
}
