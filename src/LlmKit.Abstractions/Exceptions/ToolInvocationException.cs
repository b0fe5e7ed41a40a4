namespace LlmKit;

/// <summary>
/// A tool (function) that the model asked for could not be found or failed, or the tool loop gave up.
/// </summary>
public class ToolInvocationException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ToolInvocationException()
        : base("A tool invocation failed. Check the tool's registration and arguments.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public ToolInvocationException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception the tool threw.</param>
    public ToolInvocationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the name of the tool, or <see langword="null"/>.</summary>
    public string? ToolName { get; init; }

    /// <summary>Gets the id of the model's tool call, or <see langword="null"/>.</summary>
    public string? CallId { get; init; }
}
