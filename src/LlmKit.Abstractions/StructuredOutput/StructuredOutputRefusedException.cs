namespace LlmKit;

/// <summary>
/// The model declined to give the structured answer (an OpenAI <c>refusal</c>, an Anthropic <c>refusal</c> stop reason,
/// a content filter): its own outcome, not a parse error, and never repaired.
/// </summary>
public class StructuredOutputRefusedException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public StructuredOutputRefusedException()
        : base("The model declined to give the structured answer. Rephrase the request or ask another model.")
    {
        RefusalText = string.Empty;
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public StructuredOutputRefusedException(string message)
        : base(message)
    {
        RefusalText = string.Empty;
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one, or <see langword="null"/>.</param>
    public StructuredOutputRefusedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        RefusalText = string.Empty;
    }

    /// <summary>Initializes a new instance with the model's own words.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="refusalText">What the model said when declining; empty when it said nothing.</param>
    public StructuredOutputRefusedException(string message, string refusalText)
        : base(message)
    {
        RefusalText = refusalText ?? string.Empty;
    }

    /// <summary>Gets what the model said when declining. Empty when it said nothing.</summary>
    public string RefusalText { get; }

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => LlmFailureKind.ContentPolicy;
}
