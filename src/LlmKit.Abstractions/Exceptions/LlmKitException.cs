namespace LlmKit;

/// <summary>
/// The base type of every exception LlmKit throws. Catch it to handle any LlmKit failure in one place.
/// </summary>
/// <remarks>
/// Messages say what happened and what to do about it. They never contain API keys, tokens or
/// request bodies.
/// </remarks>
public class LlmKitException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public LlmKitException()
        : base("An LlmKit operation failed.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public LlmKitException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and the exception that caused it.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one, or <see langword="null"/>.</param>
    public LlmKitException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Gets the class of failure, which routing and retries use to decide whether to try again
    /// or fall back. Defaults to <see cref="LlmFailureKind.Unknown"/>.
    /// </summary>
    public virtual LlmFailureKind FailureKind => LlmFailureKind.Unknown;
}
