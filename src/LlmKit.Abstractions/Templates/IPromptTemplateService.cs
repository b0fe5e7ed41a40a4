namespace LlmKit;

/// <summary>
/// Resolves, validates and renders prompt templates, compares their versions, records their outcomes per
/// version, runs A/B experiments and recommends templates for a task.
/// </summary>
/// <remarks>
/// Rendering is strict: a missing required input, an input the template does not declare, a value of the
/// wrong type or not among the allowed values, or a variable without a value is a
/// <see cref="TemplateRenderException"/> listing every problem at once. Roles come only from the
/// template's messages; an input's value is text inside its message and never creates, ends or changes one.
/// </remarks>
public interface IPromptTemplateService
{
    /// <summary>Renders a stored template.</summary>
    /// <param name="id">The template id.</param>
    /// <param name="inputs">The input values by name: strings, numbers, booleans, <see cref="System.Text.Json.JsonElement"/>s, dictionaries and lists.</param>
    /// <param name="label">The label to resolve; defaults to <c>production</c> when set, else <c>latest</c>.</param>
    /// <param name="version">A version number, which wins over <paramref name="label"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rendered prompt, whose options carry the template id and version on their <see cref="LlmRequestContext"/>.</returns>
    /// <exception cref="TemplateNotFoundException">The template, version or label does not exist.</exception>
    /// <exception cref="TemplateRenderException">The inputs do not fit the template; every problem is listed.</exception>
    /// <exception cref="TemplateParseException">The stored template cannot be parsed.</exception>
    Task<RenderedPrompt> RenderAsync(string id, IReadOnlyDictionary<string, object?> inputs, string? label = null, int? version = null, CancellationToken cancellationToken = default);

    /// <summary>Returns a stored template version, resolved as <see cref="RenderAsync"/> resolves it.</summary>
    /// <param name="id">The template id.</param>
    /// <param name="label">The label; defaults to <c>production</c> when set, else <c>latest</c>.</param>
    /// <param name="version">A version number, which wins over <paramref name="label"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The template version.</returns>
    /// <exception cref="TemplateNotFoundException">The template, version or label does not exist.</exception>
    Task<PromptTemplate> GetTemplateAsync(string id, string? label = null, int? version = null, CancellationToken cancellationToken = default);

    /// <summary>Returns the latest version of every template the service serves: the store's, after importing the configured and shipped ones.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The templates, ordered by id.</returns>
    Task<IReadOnlyList<PromptTemplate>> ListTemplatesAsync(CancellationToken cancellationToken = default);

    /// <summary>Renders a template that is not (necessarily) stored, such as one just loaded from a file.</summary>
    /// <param name="promptTemplate">The template.</param>
    /// <param name="inputs">The input values by name.</param>
    /// <returns>The rendered prompt.</returns>
    /// <exception cref="TemplateRenderException">The inputs do not fit the template; every problem is listed.</exception>
    /// <exception cref="TemplateParseException">The template cannot be parsed.</exception>
    RenderedPrompt Render(PromptTemplate promptTemplate, IReadOnlyDictionary<string, object?> inputs);

    /// <summary>
    /// Renders a template and hands each message's role and text to <paramref name="writer"/>, in order, without
    /// creating the messages, their strings or the options: for hosts that stream prompts into their own buffers,
    /// pipes or sockets. The text is the same, character for character, as <see cref="Render"/>'s messages; it lives in
    /// the renderer's reused per-thread buffer and is valid only while the writer runs. Once the template is compiled
    /// and its inputs are strings, booleans, numbers, JSON strings, or CLR lists and dictionaries of them, the render
    /// allocates nothing (each field or item read from a JSON object or array input costs one 32-byte box).
    /// </summary>
    /// <typeparam name="TState">The state handed to <paramref name="writer"/> (for example the host's <see cref="System.Buffers.IBufferWriter{T}"/>), so the writer needs no closure.</typeparam>
    /// <param name="promptTemplate">The template, for example from <see cref="GetTemplateAsync"/> (cache it: the compiled form is cached by id and version).</param>
    /// <param name="inputs">The input values by name.</param>
    /// <param name="state">The state passed to every call of <paramref name="writer"/>.</param>
    /// <param name="writer">Receives each message; copy the text before returning.</param>
    /// <returns>The number of messages written.</returns>
    /// <exception cref="TemplateRenderException">The inputs do not fit the template; every problem is listed, and <paramref name="writer"/> has received nothing.</exception>
    /// <exception cref="TemplateParseException">The template cannot be parsed.</exception>
    int RenderTo<TState>(PromptTemplate promptTemplate, IReadOnlyDictionary<string, object?> inputs, TState state, RenderedMessageWriter<TState> writer);

    /// <summary>
    /// Saves <paramref name="promptTemplate"/> as a new version unless the latest stored version has the same
    /// content, then points the template's <see cref="PromptTemplate.Labels"/> (other than <c>latest</c>) at it.
    /// </summary>
    /// <param name="promptTemplate">The template, for example loaded from a file.</param>
    /// <param name="cancellationToken">Cancels the import.</param>
    /// <returns>The stored version (new, or the unchanged latest).</returns>
    Task<PromptTemplate> ImportAsync(PromptTemplate promptTemplate, CancellationToken cancellationToken = default);

    /// <summary>Compares two versions of a stored template.</summary>
    /// <param name="id">The template id.</param>
    /// <param name="fromVersion">The older version.</param>
    /// <param name="toVersion">The newer version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The structured difference.</returns>
    /// <exception cref="TemplateNotFoundException">A version does not exist.</exception>
    Task<TemplateDiff> DiffAsync(string id, int fromVersion, int toVersion, CancellationToken cancellationToken = default);

    /// <summary>Records a host-reported quality score for a call made from a template version, in the template store's totals (durable with a SQLite or PostgreSQL store).</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="version">The version.</param>
    /// <param name="score">The score, on the host's scale; a finite number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when recorded.</returns>
    /// <exception cref="TemplateNotFoundException">The version does not exist.</exception>
    Task RecordOutcomeAsync(string templateId, int version, double score, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a host-reported quality score for a rendered prompt: for its version, and for its experiment variant
    /// when it was rendered for one, in one atomic update of the template store's totals. A prompt rendered from a
    /// template that is not stored (version 0) has nothing to score and is ignored.
    /// </summary>
    /// <param name="prompt">The rendered prompt the call was made with.</param>
    /// <param name="score">The score, on the host's scale; a finite number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when recorded.</returns>
    /// <exception cref="TemplateNotFoundException">The version, experiment or variant does not exist; nothing is recorded.</exception>
    Task RecordOutcomeAsync(RenderedPrompt prompt, double score, CancellationToken cancellationToken = default);

    /// <summary>Returns how each version of a template did: calls, successes, tokens, cost and latency from the usage ledger, and the reported scores.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One entry per stored version, oldest first.</returns>
    Task<IReadOnlyList<TemplateVersionOutcome>> GetOutcomesAsync(string templateId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Defines an A/B experiment in the template store, once: defining the same id again with the same template and
    /// variants returns the stored experiment, so every instance of the host can define it at start-up.
    /// </summary>
    /// <param name="experiment">The experiment.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored experiment.</returns>
    /// <exception cref="ArgumentException">The experiment has fewer than two variants, duplicate names or versions, or a weight that is not positive.</exception>
    /// <exception cref="TemplateNotFoundException">The template or a variant's version does not exist.</exception>
    /// <exception cref="TemplateExperimentConflictException">The id is already defined with another template or other variants, or has ended.</exception>
    Task<TemplateExperiment> DefineExperimentAsync(TemplateExperiment experiment, CancellationToken cancellationToken = default);

    /// <summary>Ends an experiment: it assigns no more variants; its results stay readable.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The ended experiment.</returns>
    /// <exception cref="TemplateNotFoundException">The experiment is not defined.</exception>
    Task<TemplateExperiment> EndExperimentAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>Returns the variant a key (a user or conversation id) is assigned to; the same key always gets the same variant.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="assignmentKey">The user or conversation id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The variant.</returns>
    /// <exception cref="TemplateNotFoundException">The experiment is not defined.</exception>
    /// <exception cref="TemplateExperimentConflictException">The experiment has ended.</exception>
    Task<TemplateExperimentVariant> AssignVariantAsync(string experimentId, string assignmentKey, CancellationToken cancellationToken = default);

    /// <summary>Renders the version of the variant <paramref name="assignmentKey"/> is assigned to.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="assignmentKey">The user or conversation id.</param>
    /// <param name="inputs">The input values by name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rendered prompt, carrying the experiment and variant.</returns>
    /// <exception cref="TemplateNotFoundException">The experiment is not defined.</exception>
    /// <exception cref="TemplateExperimentConflictException">The experiment has ended.</exception>
    Task<RenderedPrompt> RenderExperimentAsync(string experimentId, string assignmentKey, IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default);

    /// <summary>Returns the results of an experiment per variant with Welch's t-test of each variant's scores against the control's.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The results.</returns>
    /// <exception cref="TemplateNotFoundException">The experiment is not defined.</exception>
    Task<TemplateExperimentResults> GetExperimentResultsAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>Ranks the stored templates by how well their name, tags and description fit a task description.</summary>
    /// <param name="task">The task in a few words, for example <c>summarise a long report</c>.</param>
    /// <param name="count">How many to return at most. Defaults to 5.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The fitting templates, best first; empty when none matches a keyword.</returns>
    Task<IReadOnlyList<TemplateRecommendation>> RecommendAsync(string task, int count = 5, CancellationToken cancellationToken = default);
}
