using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// The default <see cref="IPromptTemplateService"/>: renders templates from an <see cref="ITemplateStore"/>
/// with a compiled-template cache, reads outcomes from the <see cref="IUsageLedger"/>, keeps experiment definitions
/// and host-reported score totals in the <see cref="ITemplateStore"/> (so with a SQLite or PostgreSQL store they
/// survive restarts and every instance sees the same ones), and imports the configured and default templates into
/// the store on first use.
/// </summary>
public sealed class PromptTemplateService : IPromptTemplateService
{
    private readonly ITemplateStore _store;
    private readonly IUsageLedger? _ledger;
    private readonly PromptTemplateOptions _options;
    private readonly PromptTemplateRenderer _renderer;
    private readonly Lock _importGate = new();
    private Task? _import;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="store">The template store.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="ledger">The usage ledger outcomes are read from; <see langword="null"/> reports no calls.</param>
    public PromptTemplateService(ITemplateStore store, IOptions<PromptTemplateOptions>? options = null, IUsageLedger? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _ledger = ledger;
        _options = options?.Value ?? new PromptTemplateOptions();
        _personas = new PersonaSelector(_options.Personas);
        _renderer = new PromptTemplateRenderer(new Dictionary<string, string>(_options.Partials, StringComparer.Ordinal), _options.Strict, PersonaText);
    }

    [ThreadStatic]
    private static PersonaAdaptation? t_persona;

    private readonly PersonaSelector _personas;

    /// <summary>The persona partial's text for a render: the chosen persona, adapted to the thread input's user messages when adaptation is on.</summary>
    private string PersonaText(IReadOnlyDictionary<string, object?> inputs)
    {
        var persona = _personas.Select(LlmRequestContext.Current);
        var userMessages = new List<string>();
        if (_options.PersonaAdaptationShift > 0)
        {
            foreach (var value in inputs.Values)
            {
                if (value is IEnumerable<Microsoft.Extensions.AI.ChatMessage> thread)
                {
                    userMessages.AddRange(thread.Where(m => m.Role == Microsoft.Extensions.AI.ChatRole.User).Select(m => m.Text).TakeLast(10));
                }
            }
        }

        var adaptation = PersonaAdapter.Adapt(persona, userMessages, Math.Clamp(_options.PersonaAdaptationShift, 0, 2));
        t_persona = adaptation;
        return adaptation.Persona.ToInstructions();
    }

    /// <summary>Renders and, when the template included the persona, records its name and adaptation in the options' additional properties (and the persona's temperature when the template sets none).</summary>
    private RenderedPrompt RenderWithPersona(PromptTemplate template, IReadOnlyDictionary<string, object?> inputs, string? experimentId = null, string? variant = null)
    {
        t_persona = null;
        var rendered = _renderer.Render(template, inputs, experimentId, variant);
        if (t_persona is { } used && rendered.Options is { } options)
        {
            t_persona = null;
            options.AdditionalProperties ??= [];
            options.AdditionalProperties[PersonaOptions.ConversationMetadataKey] = used.Persona.Name;
            options.AdditionalProperties[PersonaOptions.ConversationMetadataKey + ".adaptation"] = used.Explanation;
            options.Temperature ??= used.Persona.Temperature;
        }

        return rendered;
    }

    /// <inheritdoc/>
    public async Task<RenderedPrompt> RenderAsync(string id, IReadOnlyDictionary<string, object?> inputs, string? label = null, int? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(inputs);
        var template = await ResolveAsync(id, label, version, cancellationToken).ConfigureAwait(false);
        return RenderWithPersona(template, inputs);
    }

    /// <inheritdoc/>
    public Task<PromptTemplate> GetTemplateAsync(string id, string? label = null, int? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return ResolveAsync(id, label, version, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<PromptTemplate>> ListTemplatesAsync(CancellationToken cancellationToken = default)
    {
        await EnsureImportedAsync(cancellationToken).ConfigureAwait(false);
        return await _store.ListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public RenderedPrompt Render(PromptTemplate promptTemplate, IReadOnlyDictionary<string, object?> inputs)
        => RenderWithPersona(promptTemplate, inputs);

    /// <inheritdoc/>
    public int RenderTo<TState>(PromptTemplate promptTemplate, IReadOnlyDictionary<string, object?> inputs, TState state, RenderedMessageWriter<TState> writer)
        => _renderer.RenderTo(promptTemplate, inputs, state, writer);

    /// <inheritdoc/>
    public async Task<PromptTemplate> ImportAsync(PromptTemplate promptTemplate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(promptTemplate);
        await EnsureImportedAsync(cancellationToken).ConfigureAwait(false);
        return await ImportCoreAsync(promptTemplate, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<TemplateDiff> DiffAsync(string id, int fromVersion, int toVersion, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var from = await ResolveAsync(id, null, fromVersion, cancellationToken).ConfigureAwait(false);
        var to = await ResolveAsync(id, null, toVersion, cancellationToken).ConfigureAwait(false);
        return TemplateDiffer.Diff(from, to);
    }

    /// <inheritdoc/>
    public async Task RecordOutcomeAsync(string templateId, int version, double score, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(templateId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        CheckScore(score);
        await EnsureImportedAsync(cancellationToken).ConfigureAwait(false);
        await _store.RecordScoreAsync(templateId, version, score, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task RecordOutcomeAsync(RenderedPrompt prompt, double score, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        CheckScore(score);
        if (prompt.TemplateVersion <= 0)
        {
            // A template rendered without being stored has no version to score.
            return;
        }

        await EnsureImportedAsync(cancellationToken).ConfigureAwait(false);
        bool experiment = prompt.ExperimentId is not null && prompt.ExperimentVariant is not null;
        await _store.RecordScoreAsync(prompt.TemplateId, prompt.TemplateVersion, score, experiment ? prompt.ExperimentId : null, experiment ? prompt.ExperimentVariant : null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TemplateVersionOutcome>> GetOutcomesAsync(string templateId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(templateId);
        await EnsureImportedAsync(cancellationToken).ConfigureAwait(false);
        var versions = await _store.GetVersionsAsync(templateId, cancellationToken).ConfigureAwait(false);
        var scores = await _store.GetVersionScoresAsync(templateId, cancellationToken).ConfigureAwait(false);
        var outcomes = new List<TemplateVersionOutcome>(versions.Count);
        foreach (var version in versions)
        {
            // Prompts rendered by this service tag their calls with the template version; any ledger can filter on tags.
            var usage = _ledger is null
                ? new UsageTotals()
                : await _ledger.GetTotalsAsync(new UsageQuery { Scope = new BudgetScope(BudgetScopeKind.Custom, $"{PromptTemplateRenderer.TemplateVersionTag}={templateId}@{version.Version}") }, cancellationToken).ConfigureAwait(false);
            var score = scores.TryGetValue(version.Version, out var totals) ? totals : TemplateScoreAggregate.Empty;
            outcomes.Add(new TemplateVersionOutcome
            {
                TemplateId = templateId,
                Version = version.Version,
                Calls = usage.Calls,
                Successes = usage.Calls - usage.Failures,
                InputTokens = usage.InputTokens,
                OutputTokens = usage.OutputTokens,
                KnownCostUsd = usage.KnownCostUsd,
                UnknownCostCalls = usage.UnknownCostCalls,
                MeanLatency = usage.Calls > 0 && usage.TotalLatency is { } latency ? latency / usage.Calls : null,
                ScoreCount = score.Count,
                MeanScore = score.Mean,
            });
        }

        return outcomes;
    }

    /// <inheritdoc/>
    public async Task<TemplateExperiment> DefineExperimentAsync(TemplateExperiment experiment, CancellationToken cancellationToken = default)
    {
        TemplateExperimentRules.CheckExperiment(experiment);
        await EnsureImportedAsync(cancellationToken).ConfigureAwait(false);
        return await _store.DefineExperimentAsync(experiment, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<TemplateExperiment> EndExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentId);
        return await _store.EndExperimentAsync(experimentId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<TemplateExperimentVariant> AssignVariantAsync(string experimentId, string assignmentKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentId);
        ArgumentException.ThrowIfNullOrWhiteSpace(assignmentKey);
        var experiment = await GetRunningExperimentAsync(experimentId, cancellationToken).ConfigureAwait(false);
        return ExperimentAssignment.Pick(experiment, assignmentKey);
    }

    /// <inheritdoc/>
    public async Task<RenderedPrompt> RenderExperimentAsync(string experimentId, string assignmentKey, IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentId);
        ArgumentException.ThrowIfNullOrWhiteSpace(assignmentKey);
        ArgumentNullException.ThrowIfNull(inputs);
        var experiment = await GetRunningExperimentAsync(experimentId, cancellationToken).ConfigureAwait(false);
        var variant = ExperimentAssignment.Pick(experiment, assignmentKey);
        var template = await ResolveAsync(experiment.TemplateId, null, variant.Version, cancellationToken).ConfigureAwait(false);
        return RenderWithPersona(template, inputs, experiment.Id, variant.Name);
    }

    /// <inheritdoc/>
    public async Task<TemplateExperimentResults> GetExperimentResultsAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentId);
        var experiment = await _store.GetExperimentAsync(experimentId, cancellationToken).ConfigureAwait(false)
            ?? throw TemplateExperimentRules.NotDefined(experimentId);
        var allScores = await _store.GetVariantScoresAsync(experimentId, cancellationToken).ConfigureAwait(false);
        var results = new List<TemplateExperimentVariantResult>(experiment.Variants.Count);
        var control = TemplateScoreAggregate.Empty;
        for (int i = 0; i < experiment.Variants.Count; i++)
        {
            var variant = experiment.Variants[i];
            var totals = _ledger is null
                ? new UsageTotals()
                : await _ledger.GetTotalsAsync(new UsageQuery { Scope = new BudgetScope(BudgetScopeKind.Custom, $"{PromptTemplateRenderer.ExperimentTag}={experiment.Id}/{variant.Name}") }, cancellationToken).ConfigureAwait(false);
            var scores = allScores.TryGetValue(variant.Name, out var found) ? found : TemplateScoreAggregate.Empty;
            if (i == 0)
            {
                control = scores;
            }

            var test = i == 0 ? null : WelchTTest.Compare(scores.Count, scores.Mean ?? 0, scores.Variance ?? 0, control.Count, control.Mean ?? 0, control.Variance ?? 0);
            results.Add(new TemplateExperimentVariantResult
            {
                Name = variant.Name,
                Version = variant.Version,
                Calls = totals.Calls,
                ScoreCount = scores.Count,
                MeanScore = scores.Mean,
                ScoreStandardDeviation = scores.StandardDeviation,
                KnownCostUsd = totals.KnownCostUsd,
                MeanLatency = totals.Calls > 0 && totals.TotalLatency is { } latency ? latency / totals.Calls : null,
                TStatistic = test?.T,
                PValue = test?.P,
            });
        }

        return new TemplateExperimentResults { Experiment = experiment, Variants = results };
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TemplateRecommendation>> RecommendAsync(string task, int count = 5, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(task);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        await EnsureImportedAsync(cancellationToken).ConfigureAwait(false);
        var templates = await _store.ListAsync(cancellationToken).ConfigureAwait(false);
        return TemplateRecommender.Rank(task, templates, count);
    }

    private async Task<TemplateExperiment> GetRunningExperimentAsync(string experimentId, CancellationToken cancellationToken)
    {
        var experiment = await _store.GetExperimentAsync(experimentId, cancellationToken).ConfigureAwait(false)
            ?? throw TemplateExperimentRules.NotDefined(experimentId);
        return experiment.EndedAt is null ? experiment : throw TemplateExperimentRules.Ended(experiment);
    }

    private static void CheckScore(double score)
    {
        if (!double.IsFinite(score))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "A score must be a finite number.");
        }
    }

    private async Task<PromptTemplate> ResolveAsync(string id, string? label, int? version, CancellationToken cancellationToken)
    {
        await EnsureImportedAsync(cancellationToken).ConfigureAwait(false);
        PromptTemplate? template;
        if (version is not null || label is not null)
        {
            template = await _store.GetAsync(id, version, label, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            template = await _store.GetAsync(id, null, InMemoryTemplateStore.ProductionLabel, cancellationToken).ConfigureAwait(false)
                ?? await _store.GetAsync(id, null, InMemoryTemplateStore.LatestLabel, cancellationToken).ConfigureAwait(false);
        }

        return template ?? throw new TemplateNotFoundException(id, version, label);
    }

    private Task EnsureImportedAsync(CancellationToken cancellationToken)
    {
        var import = Volatile.Read(ref _import);
        if (import is { IsCompletedSuccessfully: true })
        {
            return Task.CompletedTask;
        }

        lock (_importGate)
        {
            // A failed import (a broken template) is retried on the next call rather than cached.
            if (_import is null || _import.IsFaulted || _import.IsCanceled)
            {
                _import = ImportConfiguredAsync();
            }

            import = _import;
        }

        return import.WaitAsync(cancellationToken);
    }

    private async Task ImportConfiguredAsync()
    {
        if (_options.IncludeDefaultTemplates)
        {
            foreach (var template in DefaultPromptTemplates.All)
            {
                await ImportCoreAsync(template, CancellationToken.None).ConfigureAwait(false);
            }
        }

        foreach (var template in _options.Templates)
        {
            await ImportCoreAsync(template, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<PromptTemplate> ImportCoreAsync(PromptTemplate template, CancellationToken cancellationToken)
    {
        // Parse before storing: a template that cannot be rendered never becomes a version.
        _renderer.GetCompiled(template with { Version = 0 });
        var latest = await _store.GetAsync(template.Id, cancellationToken: cancellationToken).ConfigureAwait(false);
        var stored = latest is not null && SameContent(latest, template)
            ? latest
            : await _store.SaveAsync(template with { Labels = [] }, cancellationToken).ConfigureAwait(false);
        bool moved = false;
        foreach (string label in template.Labels)
        {
            if (!string.Equals(label, InMemoryTemplateStore.LatestLabel, StringComparison.Ordinal) && !stored.Labels.Contains(label))
            {
                await _store.SetLabelAsync(template.Id, label, stored.Version, cancellationToken).ConfigureAwait(false);
                moved = true;
            }
        }

        return moved ? (await _store.GetAsync(template.Id, stored.Version, cancellationToken: cancellationToken).ConfigureAwait(false))! : stored;
    }

    private static bool SameContent(PromptTemplate a, PromptTemplate b)
        => string.Equals(
            TemplateFileWriter.Write(a with { Labels = [] }, PromptTemplateFileFormat.Json),
            TemplateFileWriter.Write(b with { Labels = [] }, PromptTemplateFileFormat.Json),
            StringComparison.Ordinal);
}
