namespace LlmKit;

/// <summary>
/// Versioned storage of prompt templates with movable labels, the A/B experiments over their versions, and the
/// running totals of the scores hosts report per version and per experiment variant.
/// </summary>
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

    /// <summary>
    /// Defines an A/B experiment once. Defining an id again with the same template and variants (names, versions and
    /// weights, in order) returns the stored experiment unchanged, so every process can define it at start-up.
    /// </summary>
    /// <param name="experiment">The experiment; its <see cref="TemplateExperiment.CreatedAt"/> and <see cref="TemplateExperiment.EndedAt"/> are ignored (the store sets them).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored experiment.</returns>
    /// <exception cref="ArgumentException">The experiment has no id or template id, fewer than two variants, two variants with one name or version, or a weight that is not a positive finite number.</exception>
    /// <exception cref="TemplateNotFoundException">The template or a variant's version does not exist.</exception>
    /// <exception cref="TemplateExperimentConflictException">The id is already defined with another template or other variants, or that experiment has ended.</exception>
    Task<TemplateExperiment> DefineExperimentAsync(TemplateExperiment experiment, CancellationToken cancellationToken = default);

    /// <summary>Returns an experiment, running or ended.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The experiment, or <see langword="null"/> when it is not defined.</returns>
    Task<TemplateExperiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>Returns the experiments, running and ended, ordered by id.</summary>
    /// <param name="templateId">Only the experiments over this template; <see langword="null"/> (the default) for all.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The experiments.</returns>
    Task<IReadOnlyList<TemplateExperiment>> ListExperimentsAsync(string? templateId = null, CancellationToken cancellationToken = default);

    /// <summary>Ends an experiment: it assigns no more variants, and its definition and scores stay readable. Ending an ended experiment keeps its first end time.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The ended experiment.</returns>
    /// <exception cref="TemplateNotFoundException">The experiment is not defined.</exception>
    Task<TemplateExperiment> EndExperimentAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a host-reported score to the totals of a template version and, when <paramref name="experimentId"/> is
    /// given, to those of the experiment variant, in one atomic step: concurrent reports are never lost.
    /// </summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="version">The template version.</param>
    /// <param name="score">The score, on the host's scale; a finite number.</param>
    /// <param name="experimentId">The experiment the prompt was rendered for, or <see langword="null"/> (the default).</param>
    /// <param name="variant">The variant of <paramref name="experimentId"/>; required with it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the score is recorded.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="score"/> is not finite.</exception>
    /// <exception cref="TemplateNotFoundException">The version, the experiment or its variant does not exist; nothing is recorded.</exception>
    Task RecordScoreAsync(string templateId, int version, double score, string? experimentId = null, string? variant = null, CancellationToken cancellationToken = default);

    /// <summary>Returns the score totals of every version of a template that has scores.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The totals by version; versions without scores are left out.</returns>
    Task<IReadOnlyDictionary<int, TemplateScoreAggregate>> GetVersionScoresAsync(string templateId, CancellationToken cancellationToken = default);

    /// <summary>Returns the score totals of every variant of an experiment that has scores.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The totals by variant name; variants without scores are left out.</returns>
    Task<IReadOnlyDictionary<string, TemplateScoreAggregate>> GetVariantScoresAsync(string experimentId, CancellationToken cancellationToken = default);
}
