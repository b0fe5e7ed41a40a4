namespace LlmKit;

/// <summary>The structured difference between two versions of a template: messages, inputs, model hints, tools, tags and metadata.</summary>
public sealed record TemplateDiff
{
    /// <summary>Gets the template id.</summary>
    public required string TemplateId { get; init; }

    /// <summary>Gets the older version.</summary>
    public int FromVersion { get; init; }

    /// <summary>Gets the newer version.</summary>
    public int ToVersion { get; init; }

    /// <summary>Gets the changes, in the order messages, inputs, model hints, tools, tags, metadata, then name and description.</summary>
    public IReadOnlyList<TemplateChange> Changes { get; init; } = [];

    /// <summary>Gets a value indicating whether anything changed.</summary>
    public bool HasChanges => Changes.Count > 0;
}
