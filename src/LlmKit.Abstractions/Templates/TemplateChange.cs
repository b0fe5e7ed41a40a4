namespace LlmKit;

/// <summary>One difference between two versions of a template.</summary>
/// <param name="Path">What changed, for example <c>messages[1].template</c>, <c>inputs.topic.type</c> or <c>modelHints.temperature</c>.</param>
/// <param name="Kind">How it changed.</param>
/// <param name="Before">The older value as text, or <see langword="null"/> when added.</param>
/// <param name="After">The newer value as text, or <see langword="null"/> when removed.</param>
public sealed record TemplateChange(string Path, TemplateChangeKind Kind, string? Before, string? After);
