using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// The default <see cref="IPromptTemplateService"/>: renders templates from an <see cref="ITemplateStore"/>
/// with a compiled-template cache, reads outcomes from the <see cref="IUsageLedger"/>, keeps host-reported
/// scores and experiment definitions in memory (per process), and imports the configured and default templates
/// into the store on first use.
/// </summary>
public sealed class PromptTemplateService : IPromptTemplateService
{
    private readonly ITemplateStore _store;
    private readonly IUsageLedger? _ledger;
    private readonly PromptTemplateOptions _options;
    private readonly PromptTemplateRenderer _renderer;
    private readonly ConcurrentDictionary<(string TemplateId, int Version), ScoreAccumulator> _versionScores = new();
    private readonly ConcurrentDictionary<(string ExperimentId, string Variant), ScoreAccumulator> _variantScores = new();
    private readonly ConcurrentDictionary<string, TemplateExperiment> _experiments = new(StringComparer.Ordinal);
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
        _renderer = new PromptTemplateRenderer(new Dictionary<string, string>(_options.Partials, StringComparer.Ordinal), _options.Strict);
    }

    /// <inheritdoc/>
    public async Task<RenderedPrompt> RenderAsync(string id, IReadOnlyDictionary<string, object?> inputs, string? label = null, int? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(inputs);
        var template = await ResolveAsync(id, label, version, cancellationToken).ConfigureAwait(false);
        return _renderer.Render(template, inputs);
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
        => _renderer.Render(promptTemplate, inputs);

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
    public Task RecordOutcomeAsync(string templateId, int version, double score, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(templateId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        CheckScore(score);
        _versionScores.GetOrAdd((templateId, version), static _ => new ScoreAccumulator()).Add(score);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task RecordOutcomeAsync(RenderedPrompt prompt, double score, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        CheckScore(score);
        if (prompt.TemplateVersion > 0)
        {
            _versionScores.GetOrAdd((prompt.TemplateId, prompt.TemplateVersion), static _ => new ScoreAccumulator()).Add(score);
        }

        if (prompt.ExperimentId is { } experiment && prompt.ExperimentVariant is { } variant)
        {
            _variantScores.GetOrAdd((experiment, variant), static _ => new ScoreAccumulator()).Add(score);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TemplateVersionOutcome>> GetOutcomesAsync(string templateId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(templateId);
        await EnsureImportedAsync(cancellationToken).ConfigureAwait(false);
        var versions = await _store.GetVersionsAsync(templateId, cancellationToken).ConfigureAwait(false);
        var outcomes = new List<TemplateVersionOutcome>(versions.Count);
        foreach (var version in versions)
        {
            // Prompts rendered by this service tag their calls with the template version; any ledger can filter on tags.
            var totals = _ledger is null
                ? new UsageTotals()
                : await _ledger.GetTotalsAsync(new UsageQuery { Scope = new BudgetScope(BudgetScopeKind.Custom, $"{PromptTemplateRenderer.TemplateVersionTag}={templateId}@{version.Version}") }, cancellationToken).ConfigureAwait(false);
            var (count, mean, _) = _versionScores.TryGetValue((templateId, version.Version), out var scores) ? scores.Snapshot() : (0, 0d, 0d);
            outcomes.Add(new TemplateVersionOutcome
            {
                TemplateId = templateId,
                Version = version.Version,
                Calls = totals.Calls,
                Successes = totals.Calls - totals.Failures,
                InputTokens = totals.InputTokens,
                OutputTokens = totals.OutputTokens,
                KnownCostUsd = totals.KnownCostUsd,
                UnknownCostCalls = totals.UnknownCostCalls,
                MeanLatency = totals.Calls > 0 && totals.TotalLatency is { } latency ? latency / totals.Calls : null,
                ScoreCount = count,
                MeanScore = count > 0 ? mean : null,
            });
        }

        return outcomes;
    }

    /// <inheritdoc/>
    public async Task DefineExperimentAsync(TemplateExperiment experiment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentException.ThrowIfNullOrWhiteSpace(experiment.Id);
        ArgumentException.ThrowIfNullOrWhiteSpace(experiment.TemplateId);
        if (experiment.Variants is null || experiment.Variants.Count < 2)
        {
            throw new ArgumentException($"Experiment '{experiment.Id}' needs at least two variants.", nameof(experiment));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var versions = new HashSet<int>();
        foreach (var variant in experiment.Variants)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(variant.Name);
            if (!names.Add(variant.Name) || !versions.Add(variant.Version))
            {
                throw new ArgumentException($"Experiment '{experiment.Id}' names variant '{variant.Name}' or version {variant.Version} twice; each variant needs its own name and version.", nameof(experiment));
            }

            if (!(variant.Weight > 0) || double.IsInfinity(variant.Weight))
            {
                throw new ArgumentException($"Variant '{variant.Name}' of experiment '{experiment.Id}' has weight {variant.Weight}; weights must be positive numbers.", nameof(experiment));
            }

            await ResolveAsync(experiment.TemplateId, null, variant.Version, cancellationToken).ConfigureAwait(false);
        }

        _experiments[experiment.Id] = experiment with { Variants = [.. experiment.Variants] };
    }

    /// <inheritdoc/>
    public TemplateExperimentVariant AssignVariant(string experimentId, string assignmentKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentId);
        ArgumentException.ThrowIfNullOrWhiteSpace(assignmentKey);
        return ExperimentAssignment.Pick(GetExperiment(experimentId), assignmentKey);
    }

    /// <inheritdoc/>
    public async Task<RenderedPrompt> RenderExperimentAsync(string experimentId, string assignmentKey, IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var variant = AssignVariant(experimentId, assignmentKey);
        var experiment = GetExperiment(experimentId);
        var template = await ResolveAsync(experiment.TemplateId, null, variant.Version, cancellationToken).ConfigureAwait(false);
        return _renderer.Render(template, inputs, experiment.Id, variant.Name);
    }

    /// <inheritdoc/>
    public async Task<TemplateExperimentResults> GetExperimentResultsAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentId);
        var experiment = GetExperiment(experimentId);
        var results = new List<TemplateExperimentVariantResult>(experiment.Variants.Count);
        (long Count, double Mean, double Variance) control = default;
        for (int i = 0; i < experiment.Variants.Count; i++)
        {
            var variant = experiment.Variants[i];
            var totals = _ledger is null
                ? new UsageTotals()
                : await _ledger.GetTotalsAsync(new UsageQuery { Scope = new BudgetScope(BudgetScopeKind.Custom, $"{PromptTemplateRenderer.ExperimentTag}={experiment.Id}/{variant.Name}") }, cancellationToken).ConfigureAwait(false);
            var scores = _variantScores.TryGetValue((experiment.Id, variant.Name), out var accumulator) ? accumulator.Snapshot() : (0, 0d, 0d);
            if (i == 0)
            {
                control = scores;
            }

            var test = i == 0 ? null : WelchTTest.Compare(scores.Count, scores.Mean, scores.Variance, control.Count, control.Mean, control.Variance);
            results.Add(new TemplateExperimentVariantResult
            {
                Name = variant.Name,
                Version = variant.Version,
                Calls = totals.Calls,
                ScoreCount = scores.Count,
                MeanScore = scores.Count > 0 ? scores.Mean : null,
                ScoreStandardDeviation = scores.Count > 1 ? Math.Sqrt(scores.Variance) : null,
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

    private TemplateExperiment GetExperiment(string experimentId)
        => _experiments.TryGetValue(experimentId, out var experiment)
            ? experiment
            : throw new TemplateNotFoundException($"Experiment '{experimentId}' is not defined. Define it with DefineExperimentAsync first.");

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
