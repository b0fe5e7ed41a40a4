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

    /// <summary>Gets the names of the tools the template expects; the host adds the matching <see cref="AITool"/>s to <see cref="Options"/>. Defaults to none.</summary>
    public IReadOnlyList<string> ToolNames { get; init; } = [];

    /// <summary>Gets the A/B experiment the version was chosen by, or <see langword="null"/>.</summary>
    public string? ExperimentId { get; init; }

    /// <summary>Gets the experiment variant the version was chosen by, or <see langword="null"/>.</summary>
    public string? ExperimentVariant { get; init; }
}
