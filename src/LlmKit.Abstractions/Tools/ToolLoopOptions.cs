namespace LlmKit;

/// <summary>How the tool loop (function invocation) runs.</summary>
public sealed class ToolLoopOptions
{
    /// <summary>Gets or sets the most model round trips per call; the last one is made without tools. Defaults to 40.</summary>
    public int MaximumIterations { get; set; } = 40;

    /// <summary>Gets or sets how many consecutive failed tool invocations end the loop with a <see cref="ToolInvocationException"/>. Defaults to 3.</summary>
    public int MaximumConsecutiveErrors { get; set; } = 3;

    /// <summary>Gets or sets a value indicating whether a tool's exception message is shown to the model; otherwise it sees a generic error. Defaults to <see langword="false"/>.</summary>
    public bool IncludeDetailedErrors { get; set; }

    /// <summary>Gets or sets a value indicating whether several tool calls of one response run concurrently. Defaults to <see langword="false"/>.</summary>
    public bool AllowConcurrentInvocation { get; set; }
}
