namespace LlmKit;

/// <summary>
/// A conversation export file (or a stored message) cannot be read: it is not JSON, not an LlmKit
/// conversation export, of a newer format version, or a value is missing or of the wrong type.
/// <see cref="Location"/> says where.
/// </summary>
public class ConversationFormatException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ConversationFormatException()
        : base("The conversation data cannot be read. Check that it is an LlmKit conversation export.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public ConversationFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ConversationFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance that names where in the data the problem is.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="location">Where: a JSON path such as <c>$.conversations[0].messages[3]</c>, with the line and position when known.</param>
    /// <param name="innerException">The exception that caused this one, or <see langword="null"/>.</param>
    public ConversationFormatException(string message, string location, Exception? innerException)
        : base(message, innerException)
    {
        Location = location;
    }

    /// <summary>Gets where in the data the problem is (a JSON path, with line and position when known), or <see langword="null"/>.</summary>
    public string? Location { get; }

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => LlmFailureKind.BadRequest;
}
