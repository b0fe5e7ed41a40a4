namespace LlmKit;

/// <summary>
/// A tool call the loop refused or stopped before it finished, for a reason that holds only what the model sent: arguments
/// that do not match the tool's schema, or the tool's timeout. Its message always goes to the model, whatever
/// <see cref="ToolLoopOptions.IncludeDetailedErrors"/> says, so the model can correct the call.
/// </summary>
internal sealed class ToolCallRejectedException(string message, string toolName, string? callId, Exception? innerException = null)
    : ToolInvocationException(message, toolName, callId, innerException);
