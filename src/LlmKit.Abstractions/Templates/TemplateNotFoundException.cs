namespace LlmKit;

/// <summary>A prompt template, version, label or experiment does not exist.</summary>
public class TemplateNotFoundException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public TemplateNotFoundException()
        : base("The prompt template does not exist. Save it to the template store first, or check the id, version and label.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public TemplateNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public TemplateNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a template lookup that found nothing.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="version">The version asked for, or <see langword="null"/>.</param>
    /// <param name="label">The label asked for, or <see langword="null"/>.</param>
    public TemplateNotFoundException(string templateId, int? version, string? label)
        : base(version is { } v
            ? $"Prompt template '{templateId}' has no version {v}. List its versions with ITemplateStore.GetVersionsAsync."
            : label is not null
                ? $"Prompt template '{templateId}' has no version labelled '{label}'. Save the template or move the label with ITemplateStore.SetLabelAsync."
                : $"Prompt template '{templateId}' does not exist. Save it to the template store first.")
    {
        TemplateId = templateId;
        Version = version;
        Label = label;
    }

    /// <summary>Gets the template id, or <see langword="null"/>.</summary>
    public string? TemplateId { get; }

    /// <summary>Gets the version asked for, or <see langword="null"/>.</summary>
    public int? Version { get; }

    /// <summary>Gets the label asked for, or <see langword="null"/>.</summary>
    public string? Label { get; }

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => LlmFailureKind.NotFound;
}
