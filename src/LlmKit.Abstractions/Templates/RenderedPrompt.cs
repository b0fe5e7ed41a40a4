using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>A template rendered with its inputs, ready to send through the pipeline.</summary>
public sealed record RenderedPrompt
{
    /// <summary>Gets the messages.</summary>
    public required IList<ChatMessage> Messages { get; init; }

    /// <summary>Gets the options derived from the template's model hints, with the template id and version on their <see cref="LlmRequestContext"/>.</summary>
    public required ChatOptions Options { get; init; }

    /// <summary>Gets the template id.</summary>
    public required string TemplateId { get; init; }

    /// <summary>Gets the template version.</summary>
    public int TemplateVersion { get; init; }
}
