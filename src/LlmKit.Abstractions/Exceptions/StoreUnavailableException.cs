namespace LlmKit;

/// <summary>
/// A durable store (SQLite file or PostgreSQL server) cannot be reached or opened: the file cannot be
/// created or is not a database, the server refuses the connection, or its schema is newer than this
/// LlmKit understands. The message names the store, never its password.
/// </summary>
public class StoreUnavailableException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public StoreUnavailableException()
        : base("The store cannot be reached. Check the connection string and that the database is running.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public StoreUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => LlmFailureKind.Network;
}
