namespace LlmKit;

/// <summary>
/// A prompt template could not be rendered with the given inputs: a required input is missing, an input is
/// unknown, of the wrong type or not allowed, or the template uses a variable that has no value. Every
/// problem found is listed at once in <see cref="Problems"/> and in the message.
/// </summary>
public class TemplateRenderException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public TemplateRenderException()
        : base("A prompt template could not be rendered. Check the inputs against the template's declared inputs.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public TemplateRenderException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public TemplateRenderException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance listing every problem found.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="templateVersion">The template version (0 for a template not from a store).</param>
    /// <param name="problems">Every problem, each naming the input or variable and what to do.</param>
    public TemplateRenderException(string templateId, int templateVersion, IReadOnlyList<string> problems)
        : base(Format(templateId, templateVersion, problems))
    {
        TemplateId = templateId;
        TemplateVersion = templateVersion;
        Problems = problems ?? [];
    }

    /// <summary>Gets the template id, or <see langword="null"/>.</summary>
    public string? TemplateId { get; }

    /// <summary>Gets the template version; 0 for a template not from a store.</summary>
    public int TemplateVersion { get; }

    /// <summary>Gets every problem found. Empty when the exception was built from a message alone.</summary>
    public IReadOnlyList<string> Problems { get; } = [];

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => LlmFailureKind.BadRequest;

    private static string Format(string templateId, int version, IReadOnlyList<string>? problems)
    {
        int count = problems?.Count ?? 0;
        string head = $"Template '{templateId}'{(version > 0 ? $" v{version}" : string.Empty)} cannot be rendered ({count} problem{(count == 1 ? string.Empty : "s")}): ";
        return problems is null ? head : head + string.Join("; ", problems);
    }
}
