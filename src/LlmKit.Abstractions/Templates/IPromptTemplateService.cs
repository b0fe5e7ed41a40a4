namespace LlmKit;

/// <summary>Resolves, validates and renders prompt templates, and records their outcomes per version.</summary>
public interface IPromptTemplateService
{
    /// <summary>Renders a stored template.</summary>
    /// <param name="id">The template id.</param>
    /// <param name="inputs">The input values by name.</param>
    /// <param name="label">The label to resolve; defaults to <c>production</c> when set, else <c>latest</c>.</param>
    /// <param name="version">A version number, which wins over <paramref name="label"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rendered prompt.</returns>
    /// <exception cref="LlmKitConfigurationException">The template does not exist or an input is missing, unknown or of the wrong type; every problem is listed.</exception>
    Task<RenderedPrompt> RenderAsync(string id, IReadOnlyDictionary<string, object?> inputs, string? label = null, int? version = null, CancellationToken cancellationToken = default);

    /// <summary>Records a host-reported quality score for a call made from a template version.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="version">The version.</param>
    /// <param name="score">The score, on the host's scale.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when recorded.</returns>
    Task RecordOutcomeAsync(string templateId, int version, double score, CancellationToken cancellationToken = default);
}
