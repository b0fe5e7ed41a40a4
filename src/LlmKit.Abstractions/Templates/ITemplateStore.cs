namespace LlmKit;

/// <summary>Versioned storage of prompt templates with movable labels.</summary>
public interface ITemplateStore
{
    /// <summary>Saves a new version of a template; the store assigns the version and moves the <c>latest</c> label to it.</summary>
    /// <param name="promptTemplate">The template; its <see cref="PromptTemplate.Version"/>, <see cref="PromptTemplate.CreatedAt"/> and <see cref="PromptTemplate.Labels"/> are ignored (the store assigns them).</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>The saved version.</returns>
    Task<PromptTemplate> SaveAsync(PromptTemplate promptTemplate, CancellationToken cancellationToken = default);

    /// <summary>Returns one version of a template by number or label.</summary>
    /// <param name="id">The template id.</param>
    /// <param name="version">The version number, or <see langword="null"/> to use <paramref name="label"/>.</param>
    /// <param name="label">The label; defaults to <c>latest</c> when <paramref name="version"/> is also <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The version, or <see langword="null"/> when it does not exist.</returns>
    Task<PromptTemplate?> GetAsync(string id, int? version = null, string? label = null, CancellationToken cancellationToken = default);

    /// <summary>Returns every version of a template, oldest first.</summary>
    /// <param name="id">The template id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The versions; empty when the template does not exist.</returns>
    Task<IReadOnlyList<PromptTemplate>> GetVersionsAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Returns the latest version of every template.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The templates, ordered by id.</returns>
    Task<IReadOnlyList<PromptTemplate>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Points a label at a version, moving it from any other version of the same template.</summary>
    /// <param name="id">The template id.</param>
    /// <param name="label">The label; <c>latest</c> cannot be moved by hand.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the label has moved.</returns>
    Task SetLabelAsync(string id, string label, int version, CancellationToken cancellationToken = default);
}
