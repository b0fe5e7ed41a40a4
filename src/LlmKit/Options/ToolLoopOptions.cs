namespace LlmKit;

/// <summary>
/// How the tool loop stage (<see cref="PipelineStageNames.ToolLoop"/>) runs the tools the model calls; section
/// <c>LlmKit:ToolLoop</c>. The loop is Microsoft.Extensions.AI's <c>FunctionInvokingChatClient</c> with these settings,
/// plus a per-tool timeout and argument checking against each tool's JSON schema.
/// </summary>
public sealed class ToolLoopOptions
{
    /// <summary>
    /// Gets or sets the most model round trips one call may make, the last one included: it is sent without tools, so the
    /// model has to answer in text. Defaults to 40; at least 2 (one round trip that may call tools, and the last).
    /// </summary>
    public int MaxIterations { get; set; } = 40;

    /// <summary>
    /// Gets or sets how many round trips in a row may end with a failed tool call (it threw, timed out or got bad
    /// arguments) and still go on: each such failure goes back to the model as the call's result. One more failure in a
    /// row stops the loop, and the call throws a <see cref="ToolInvocationException"/>. Defaults to 3; 0 stops at the first
    /// failure.
    /// </summary>
    public int MaxConsecutiveErrors { get; set; } = 3;

    /// <summary>
    /// Gets or sets a value indicating whether the message of a tool's exception is sent to the model. Defaults to
    /// <see langword="false"/>: the model is told only that the tool failed, since an exception message may hold internal
    /// details. Argument errors (an unknown field's name, a missing or mistyped field) and timeouts are always described,
    /// since they hold only what the model sent.
    /// </summary>
    public bool IncludeDetailedErrors { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the tool calls of one model response run concurrently. Defaults to
    /// <see langword="false"/>: they run one after another, in the order the model gave them, as tools written without
    /// concurrency in mind expect.
    /// </summary>
    public bool AllowConcurrentInvocation { get; set; }

    /// <summary>
    /// Gets or sets how long one tool call may run before it is cancelled and reported to the model as timed out, or
    /// <see langword="null"/> for no limit. Defaults to 1 minute. A tool must honour its <see cref="CancellationToken"/>
    /// for the timeout to stop it.
    /// </summary>
    public TimeSpan? ToolTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
