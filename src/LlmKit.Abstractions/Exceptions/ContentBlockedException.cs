namespace LlmKit;

/// <summary>
/// Content was refused, either by a LlmKit guard (input or output) or by the provider's content policy.
/// </summary>
public class ContentBlockedException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ContentBlockedException()
        : base("The content was blocked by a safety policy. Rephrase the request or adjust the policy.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public ContentBlockedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ContentBlockedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance that names who blocked the content and why.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="blockedBy">Who blocked the content: a guard stage name such as <c>input-guard</c>, or a provider name.</param>
    /// <param name="findingTypes">The finding types that caused the block, such as <c>PROMPT_INJECTION</c>; never the content itself.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ContentBlockedException(string message, string blockedBy, IReadOnlyList<string> findingTypes, Exception? innerException = null)
        : base(message, innerException)
    {
        BlockedBy = blockedBy;
        FindingTypes = findingTypes;
    }

    /// <summary>Gets who blocked the content (a guard stage or a provider), or <see langword="null"/>.</summary>
    public string? BlockedBy { get; }

    /// <summary>Gets the finding types that caused the block. Empty when not known.</summary>
    public IReadOnlyList<string> FindingTypes { get; } = [];

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => LlmFailureKind.ContentPolicy;
}
