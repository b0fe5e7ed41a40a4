using System.Text.Json;

namespace LlmKit;

/// <summary>A declared input of a prompt template.</summary>
public sealed record TemplateInput
{
    /// <summary>Gets the input name, as used in the template (<c>{{name}}</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the type. Defaults to <see cref="TemplateInputType.String"/>.</summary>
    public TemplateInputType Type { get; init; }

    /// <summary>Gets a description for authors and tools.</summary>
    public string? Description { get; init; }

    /// <summary>Gets a value indicating whether the input must be given. Defaults to <see langword="true"/> unless a default is set.</summary>
    public bool IsRequired { get; init; } = true;

    /// <summary>Gets the default value, or <see langword="null"/> for none.</summary>
    public JsonElement? Default { get; init; }

    /// <summary>Gets the allowed values, or empty for any value.</summary>
    public IReadOnlyList<string> AllowedValues { get; init; } = [];

    /// <summary>Gets a JSON schema the value must match, or <see langword="null"/>.</summary>
    public JsonElement? JsonSchema { get; init; }
}
