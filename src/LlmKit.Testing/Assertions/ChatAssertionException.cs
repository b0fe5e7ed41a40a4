namespace LlmKit.Testing;

/// <summary>
/// Thrown by <see cref="ChatAssert"/> when the recorded calls do not match the expectation. The message
/// shows what was expected and what was recorded. Any test framework reports it as a failed test.
/// </summary>
public sealed class ChatAssertionException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ChatAssertionException()
        : base("A chat assertion failed.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What was expected and what was recorded.</param>
    public ChatAssertionException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What was expected and what was recorded.</param>
    /// <param name="innerException">The exception that caused this one, or <see langword="null"/>.</param>
    public ChatAssertionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
