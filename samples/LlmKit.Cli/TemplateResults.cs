using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmKit.Cli;

/// <summary>The --json output of <c>llmkit templates render</c>: <c>{messages: [{role, text}], options: {..}}</c>.</summary>
internal sealed record TemplateRenderResult(IReadOnlyList<TemplateMessageRow> Messages, TemplateOptionsRow Options);

/// <summary>One rendered message.</summary>
internal sealed record TemplateMessageRow(string Role, string Text);

/// <summary>The chat options a rendered template carries; unset options are <c>null</c>.</summary>
internal sealed record TemplateOptionsRow(
    string? ModelId,
    float? Temperature,
    float? TopP,
    int? MaxOutputTokens,
    IReadOnlyList<string>? StopSequences,
    long? Seed,
    [property: JsonPropertyName("responseFormat")] JsonElement? ResponseFormat,
    IReadOnlyList<string> Tools,
    string TemplateId,
    int? TemplateVersion);

/// <summary>A template as <c>llmkit templates list</c> and <c>show</c> print it.</summary>
internal sealed record TemplateRow(
    string Id,
    int Version,
    string? Name,
    string? Description,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Labels,
    IReadOnlyList<TemplateInputRow> Inputs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<TemplateTextRow>? Messages,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? ModelHints,
    IReadOnlyList<string> Tools,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Metadata,
    DateTimeOffset CreatedAt);

/// <summary>A declared input.</summary>
internal sealed record TemplateInputRow(string Name, string Type, bool Required, string? Description, JsonElement? Default, IReadOnlyList<string> AllowedValues);

/// <summary>A template message before rendering.</summary>
internal sealed record TemplateTextRow(string Role, string Template);
