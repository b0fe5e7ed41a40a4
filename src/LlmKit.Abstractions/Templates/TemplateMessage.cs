using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>One message of a prompt template: a role from the template's structure and the text to render.</summary>
/// <param name="Role">The role. Rendering never changes it, whatever the inputs contain.</param>
/// <param name="Template">The template text.</param>
public sealed record TemplateMessage(ChatRole Role, string Template);
