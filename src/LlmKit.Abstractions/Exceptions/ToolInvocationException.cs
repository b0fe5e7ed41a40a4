namespace LlmKit;

/// <summary>
/// A tool called by the model failed: it threw, did not finish within its timeout, or was called with arguments that do
/// not match its schema. Inside the tool loop the failure goes back to the model as the call's result; the caller sees
/// this exception only when the loop stops after too many consecutive tool errors.
/// </summary>
public class ToolInvocationException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ToolInvocationException()
        : base("A tool called by the model failed.")
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
    /// <param name="innerException">The exception that caused this one.</param>
    public ToolInvocationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance that names the tool and the call.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="toolName">The tool's name.</param>
    /// <param name="callId">The id of the model's tool call, or <see langword="null"/>.</param>
    /// <param name="innerException">The exception that caused this one, or <see langword="null"/>.</param>
    public ToolInvocationException(string message, string toolName, string? callId, Exception? innerException = null)
        : base(message, innerException)
    {
        ToolName = toolName;
        CallId = callId;
    }

    /// <summary>Gets the name of the tool that failed, or <see langword="null"/> when not known.</summary>
    public string? ToolName { get; }

    /// <summary>Gets the id of the model's tool call, or <see langword="null"/> when not known.</summary>
    public string? CallId { get; }
}
