namespace LlmKit;

/// <summary>One immutable version of a prompt template.</summary>
public sealed record PromptTemplate
{
    /// <summary>Gets the template id, stable across versions.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the version: 1 for the first, one more for each save. Assigned by the store.</summary>
    public int Version { get; init; }

    /// <summary>Gets the display name.</summary>
    public string? Name { get; init; }

    /// <summary>Gets what the template is for.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the tags. Defaults to none.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Gets the labels pointing at this version (for example <c>production</c>, <c>latest</c>). Defaults to none.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Gets the declared inputs. Defaults to none.</summary>
    public IReadOnlyList<TemplateInput> Inputs { get; init; } = [];

    /// <summary>Gets the template language of the messages. Defaults to <see cref="TemplateEngine.Mustache"/>.</summary>
    public TemplateEngine Engine { get; init; }

    /// <summary>Gets the messages, in order.</summary>
    public required IReadOnlyList<TemplateMessage> Messages { get; init; }

    /// <summary>Gets the model hints, or <see langword="null"/>.</summary>
    public TemplateModelHints? ModelHints { get; init; }

    /// <summary>Gets the names of tools the template expects to be available. Defaults to none.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Gets free-form metadata. Defaults to empty.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets when the version was saved. Assigned by the store.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
