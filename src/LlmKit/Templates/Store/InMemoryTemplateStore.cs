using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace LlmKit;

/// <summary>
/// The default <see cref="ITemplateStore"/>: every version of every template in memory, with labels.
/// Saves and label moves of one template are serialised, so concurrent saves get consecutive versions and a
/// label always points at exactly one version; reads never wait. Experiments and score totals live here too; a
/// score updates its totals under a lock, so concurrent reports are never lost. Use the SQLite or PostgreSQL store to
/// keep templates, experiments and scores across restarts and share them between machines.
/// </summary>
public sealed class InMemoryTemplateStore : ITemplateStore
{
    /// <summary>The label the store moves to each new version.</summary>
    public const string LatestLabel = "latest";

    /// <summary>The label <see cref="IPromptTemplateService.RenderAsync"/> prefers when it is set.</summary>
    public const string ProductionLabel = "production";

    private readonly ConcurrentDictionary<string, Entry> _templates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TemplateExperiment> _experiments = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string TemplateId, int Version), Totals> _versionScores = new();
    private readonly ConcurrentDictionary<(string ExperimentId, string Variant), Totals> _variantScores = new();
    private readonly Lock _experimentGate = new();
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="timeProvider">The clock that stamps <see cref="PromptTemplate.CreatedAt"/>; defaults to <see cref="TimeProvider.System"/>.</param>
    public InMemoryTemplateStore(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public Task<PromptTemplate> SaveAsync(PromptTemplate promptTemplate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(promptTemplate);
        ArgumentException.ThrowIfNullOrWhiteSpace(promptTemplate.Id);
        StoreRules.CheckIdentifier(promptTemplate.Id, "template id", nameof(promptTemplate));
        if (promptTemplate.Messages is null || promptTemplate.Messages.Count == 0)
        {
            throw new ArgumentException($"Template '{promptTemplate.Id}' has no messages; give it at least one message.", nameof(promptTemplate));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var entry = _templates.GetOrAdd(promptTemplate.Id, static _ => new Entry());
        lock (entry.Gate)
        {
            var state = entry.State;
            int version = state.Versions.Length + 1;
            var saved = Snapshot(promptTemplate) with { Version = version, CreatedAt = _timeProvider.GetUtcNow(), Labels = [] };
            entry.State = new State(state.Versions.Add(saved), state.Labels.SetItem(LatestLabel, version));
            return Task.FromResult(WithLabels(saved, entry.State));
        }
    }

    /// <inheritdoc/>
    public Task<PromptTemplate?> GetAsync(string id, int? version = null, string? label = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        StoreRules.CheckIdentifier(id, "template id", nameof(id));
        StoreRules.CheckIdentifier(label, "label", nameof(label));
        cancellationToken.ThrowIfCancellationRequested();
        if (!_templates.TryGetValue(id, out var entry))
        {
            return Task.FromResult<PromptTemplate?>(null);
        }

        var state = entry.State;
        int? wanted = version ?? (state.Labels.TryGetValue(label ?? LatestLabel, out int labelled) ? labelled : null);
        return Task.FromResult(wanted is { } v && v >= 1 && v <= state.Versions.Length ? WithLabels(state.Versions[v - 1], state) : null);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<PromptTemplate>> GetVersionsAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        StoreRules.CheckIdentifier(id, "template id", nameof(id));
        cancellationToken.ThrowIfCancellationRequested();
        if (!_templates.TryGetValue(id, out var entry))
        {
            return Task.FromResult<IReadOnlyList<PromptTemplate>>([]);
        }

        var state = entry.State;
        var versions = new PromptTemplate[state.Versions.Length];
        for (int i = 0; i < versions.Length; i++)
        {
            versions[i] = WithLabels(state.Versions[i], state);
        }

        return Task.FromResult<IReadOnlyList<PromptTemplate>>(versions);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<PromptTemplate>> ListAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var list = new List<PromptTemplate>(_templates.Count);
        foreach (var pair in _templates)
        {
            var state = pair.Value.State;
            if (state.Versions.Length > 0)
            {
                list.Add(WithLabels(state.Versions[^1], state));
            }
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        return Task.FromResult<IReadOnlyList<PromptTemplate>>(list);
    }

    /// <inheritdoc/>
    public Task SetLabelAsync(string id, string label, int version, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        StoreRules.CheckIdentifier(id, "template id", nameof(id));
        ValidateLabel(label);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_templates.TryGetValue(id, out var entry))
        {
            throw new TemplateNotFoundException(id, null, null);
        }

        lock (entry.Gate)
        {
            var state = entry.State;
            if (version < 1 || version > state.Versions.Length)
            {
                throw new TemplateNotFoundException(id, version, null);
            }

            entry.State = state with { Labels = state.Labels.SetItem(label, version) };
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<TemplateExperiment> DefineExperimentAsync(TemplateExperiment experiment, CancellationToken cancellationToken = default)
    {
        TemplateExperimentRules.CheckExperiment(experiment);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_experimentGate)
        {
            if (_experiments.TryGetValue(experiment.Id, out var stored))
            {
                return Task.FromResult(TemplateExperimentRules.Redefined(stored, experiment));
            }

            int latest = _templates.TryGetValue(experiment.TemplateId, out var entry) ? entry.State.Versions.Length : 0;
            if (latest == 0)
            {
                throw new TemplateNotFoundException(experiment.TemplateId, null, null);
            }

            foreach (var variant in experiment.Variants)
            {
                if (variant.Version < 1 || variant.Version > latest)
                {
                    throw new TemplateNotFoundException(experiment.TemplateId, variant.Version, null);
                }
            }

            var created = TemplateExperimentRules.Stored(experiment, StoreRules.Normalize(_timeProvider.GetUtcNow()));
            _experiments[experiment.Id] = created;
            return Task.FromResult(created);
        }
    }

    /// <inheritdoc/>
    public Task<TemplateExperiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentId);
        StoreRules.CheckIdentifier(experimentId, "experiment id", nameof(experimentId));
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_experiments.TryGetValue(experimentId, out var experiment) ? experiment : null);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<TemplateExperiment>> ListExperimentsAsync(string? templateId = null, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckIdentifier(templateId, "template id", nameof(templateId));
        cancellationToken.ThrowIfCancellationRequested();
        var list = new List<TemplateExperiment>();
        foreach (var pair in _experiments)
        {
            if (templateId is null || string.Equals(pair.Value.TemplateId, templateId, StringComparison.Ordinal))
            {
                list.Add(pair.Value);
            }
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        return Task.FromResult<IReadOnlyList<TemplateExperiment>>(list);
    }

    /// <inheritdoc/>
    public Task<TemplateExperiment> EndExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentId);
        StoreRules.CheckIdentifier(experimentId, "experiment id", nameof(experimentId));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_experimentGate)
        {
            if (!_experiments.TryGetValue(experimentId, out var experiment))
            {
                throw TemplateExperimentRules.NotDefined(experimentId);
            }

            if (experiment.EndedAt is null)
            {
                experiment = experiment with { EndedAt = StoreRules.Normalize(_timeProvider.GetUtcNow()) };
                _experiments[experimentId] = experiment;
            }

            return Task.FromResult(experiment);
        }
    }

    /// <inheritdoc/>
    public Task RecordScoreAsync(string templateId, int version, double score, string? experimentId = null, string? variant = null, CancellationToken cancellationToken = default)
    {
        TemplateExperimentRules.CheckScore(templateId, score, experimentId, variant);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_templates.TryGetValue(templateId, out var entry) || version < 1 || version > entry.State.Versions.Length)
        {
            throw new TemplateNotFoundException(templateId, version, null);
        }

        if (experimentId is not null && !HasVariant(experimentId, variant!))
        {
            throw TemplateExperimentRules.UnknownVariant(experimentId, variant!);
        }

        _versionScores.GetOrAdd((templateId, version), static _ => new Totals()).Add(score);
        if (experimentId is not null)
        {
            _variantScores.GetOrAdd((experimentId, variant!), static _ => new Totals()).Add(score);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<int, TemplateScoreAggregate>> GetVersionScoresAsync(string templateId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(templateId);
        StoreRules.CheckIdentifier(templateId, "template id", nameof(templateId));
        cancellationToken.ThrowIfCancellationRequested();
        var scores = new Dictionary<int, TemplateScoreAggregate>();
        int versions = _templates.TryGetValue(templateId, out var entry) ? entry.State.Versions.Length : 0;
        for (int v = 1; v <= versions; v++)
        {
            if (_versionScores.TryGetValue((templateId, v), out var totals))
            {
                scores[v] = totals.Value;
            }
        }

        return Task.FromResult<IReadOnlyDictionary<int, TemplateScoreAggregate>>(scores);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<string, TemplateScoreAggregate>> GetVariantScoresAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentId);
        StoreRules.CheckIdentifier(experimentId, "experiment id", nameof(experimentId));
        cancellationToken.ThrowIfCancellationRequested();
        var scores = new Dictionary<string, TemplateScoreAggregate>(StringComparer.Ordinal);
        if (_experiments.TryGetValue(experimentId, out var experiment))
        {
            foreach (var variant in experiment.Variants)
            {
                if (_variantScores.TryGetValue((experimentId, variant.Name), out var totals))
                {
                    scores[variant.Name] = totals.Value;
                }
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, TemplateScoreAggregate>>(scores);
    }

    /// <summary>Checks a label that can be moved by hand: not empty, no blank space, not <c>latest</c>.</summary>
    /// <param name="label">The label.</param>
    /// <exception cref="ArgumentException">The label is empty, contains blank space, or is <c>latest</c>.</exception>
    internal static void ValidateLabel(string label)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        StoreRules.CheckIdentifier(label, "label", nameof(label));
        if (string.Equals(label, LatestLabel, StringComparison.Ordinal))
        {
            throw new ArgumentException("The 'latest' label always points at the newest version; save a new version to move it.", nameof(label));
        }

        foreach (char c in label)
        {
            if (char.IsWhiteSpace(c))
            {
                throw new ArgumentException($"Label '{label}' contains blank space; use letters, digits, '-', '_' or '.'.", nameof(label));
            }
        }
    }

    /// <summary>Copies the caller's collections so a stored version never changes when the caller's lists do.</summary>
    private static PromptTemplate Snapshot(PromptTemplate template) => template with
    {
        Tags = [.. template.Tags],
        Inputs = [.. template.Inputs.Select(i => i with { AllowedValues = [.. i.AllowedValues] })],
        Messages = [.. template.Messages],
        Tools = [.. template.Tools],
        Metadata = new Dictionary<string, string>(template.Metadata, StringComparer.Ordinal),
        ModelHints = template.ModelHints is { } hints
            ? hints with { StopSequences = [.. hints.StopSequences], AdditionalProperties = new Dictionary<string, object?>(hints.AdditionalProperties, StringComparer.Ordinal) }
            : null,
    };

    private static PromptTemplate WithLabels(PromptTemplate version, State state)
    {
        List<string>? labels = null;
        foreach (var pair in state.Labels)
        {
            if (pair.Value == version.Version)
            {
                (labels ??= []).Add(pair.Key);
            }
        }

        labels?.Sort(StringComparer.Ordinal);
        return version with { Labels = labels ?? (IReadOnlyList<string>)[] };
    }

    private bool HasVariant(string experimentId, string variant)
    {
        if (_experiments.TryGetValue(experimentId, out var experiment))
        {
            foreach (var candidate in experiment.Variants)
            {
                if (string.Equals(candidate.Name, variant, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>One set of score totals, replaced under a lock on every score.</summary>
    private sealed class Totals
    {
        private readonly Lock _gate = new();
        private TemplateScoreAggregate _value = TemplateScoreAggregate.Empty;

        public TemplateScoreAggregate Value => Volatile.Read(ref _value);

        public void Add(double score)
        {
            lock (_gate)
            {
                Volatile.Write(ref _value, _value.Add(score));
            }
        }
    }

    private sealed class Entry
    {
        public object Gate { get; } = new();

        public volatile State State = new([], ImmutableDictionary.Create<string, int>(StringComparer.Ordinal));
    }

    private sealed record State(ImmutableArray<PromptTemplate> Versions, ImmutableDictionary<string, int> Labels);
}
