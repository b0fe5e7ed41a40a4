using System.Text.Json;

namespace LlmKit;

/// <summary>
/// The default <see cref="IModelRegistry"/>: the catalog shipped in the package (LiteLLM's price map,
/// dated, see <see cref="CatalogInfo"/>), plus models from configuration and from code. Lookups are
/// lock-free reads of an immutable snapshot; changes replace the snapshot atomically.
/// </summary>
public sealed class ModelRegistry : IModelRegistry
{
    private readonly Lock _writeLock = new();
    private volatile Snapshot _snapshot;

    /// <summary>Initializes a registry holding <paramref name="models"/>.</summary>
    /// <param name="catalogInfo">Where the models come from.</param>
    /// <param name="models">The initial models.</param>
    /// <exception cref="LlmKitConfigurationException">Two models share an id or alias.</exception>
    public ModelRegistry(ModelCatalogInfo catalogInfo, IEnumerable<ModelDescriptor> models)
    {
        ArgumentNullException.ThrowIfNull(catalogInfo);
        ArgumentNullException.ThrowIfNull(models);
        CatalogInfo = catalogInfo;
        _snapshot = Snapshot.Empty;
        RegisterAll(models);
    }

    /// <inheritdoc/>
    public ModelCatalogInfo CatalogInfo { get; }

    /// <summary>
    /// Gets the registry's current state. Every change (<see cref="Register"/>, <see cref="SetActive"/>, <see cref="Import"/>)
    /// replaces it with a new object, so whatever is derived from one snapshot (the cost calculator's resolved prices) is valid
    /// exactly while it is still the current one.
    /// </summary>
    internal Snapshot Current => _snapshot;

    /// <summary>Creates a registry from the catalog shipped in the package.</summary>
    /// <returns>The registry.</returns>
    public static ModelRegistry FromEmbeddedCatalog()
    {
        var (info, models) = ModelCatalogLoader.LoadEmbedded();
        return new ModelRegistry(info, models);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A dated snapshot id that is not in the registry (<c>gpt-4o-2024-08-06</c>, <c>claude-sonnet-4-5-20250929</c>,
    /// <c>gemini-2.0-flash-001</c>: a <c>-YYYY-MM-DD</c>, <c>-YYYYMMDD</c> or <c>-NNN</c> suffix) finds the model of its base
    /// id or alias, so the ids providers return in responses are priced; a registered dated id always wins.
    /// </remarks>
    public bool TryGet(string idOrAlias, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelDescriptor? model)
    {
        ArgumentNullException.ThrowIfNull(idOrAlias);
        return _snapshot.TryGet(idOrAlias, out model);
    }

    /// <summary>Returns the model with that id or alias.</summary>
    /// <param name="idOrAlias">The id or alias.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelNotFoundException">No model has that id or alias.</exception>
    public ModelDescriptor Get(string idOrAlias)
        => TryGet(idOrAlias, out var model) ? model
        : throw new ModelNotFoundException(idOrAlias, $"Model '{idOrAlias}' is not in the model registry ({_snapshot.ById.Count} models). Register it with IModelRegistry.Register or under 'LlmKit:Catalog:{idOrAlias}'.", null);

    /// <inheritdoc/>
    public IReadOnlyList<ModelDescriptor> Query(ModelQuery? query = null)
    {
        query ??= new ModelQuery();
        return _snapshot.Ordered.Where(m => Matches(m, query)).ToList();
    }

    /// <inheritdoc/>
    public void Register(ModelDescriptor model)
    {
        ArgumentNullException.ThrowIfNull(model);
        RegisterAll([model]);
    }

    /// <summary>
    /// Adds or replaces several models at once: all of them or, when one is invalid, none. The new state is built once,
    /// so loading a catalog of hundreds of models costs one snapshot, not one per model.
    /// </summary>
    /// <param name="models">The models.</param>
    /// <exception cref="LlmKitConfigurationException">An alias names another model.</exception>
    internal void RegisterAll(IEnumerable<ModelDescriptor> models)
    {
        lock (_writeLock)
        {
            var current = _snapshot;
            var byId = new Dictionary<string, ModelDescriptor>(current.ById, StringComparer.OrdinalIgnoreCase);
            var aliases = new Dictionary<string, string>(current.IdByAlias, StringComparer.OrdinalIgnoreCase);
            foreach (var model in models)
            {
                ArgumentNullException.ThrowIfNull(model);
                ArgumentException.ThrowIfNullOrWhiteSpace(model.Id);
                ArgumentException.ThrowIfNullOrWhiteSpace(model.Provider);
                foreach (string alias in model.Aliases)
                {
                    if (aliases.TryGetValue(alias, out string? owner) && !string.Equals(owner, model.Id, StringComparison.OrdinalIgnoreCase)
                        && byId.TryGetValue(owner, out var ownerModel) && ownerModel.Aliases.Contains(alias, StringComparer.OrdinalIgnoreCase))
                    {
                        throw new LlmKitConfigurationException($"Alias '{alias}' of model '{model.Id}' already names model '{owner}'. Choose another alias or remove it from '{owner}'.");
                    }

                    if (!string.Equals(alias, model.Id, StringComparison.OrdinalIgnoreCase) && byId.ContainsKey(alias))
                    {
                        throw new LlmKitConfigurationException($"Alias '{alias}' of model '{model.Id}' is the id of another model. Choose another alias.");
                    }

                    aliases[alias] = model.Id;
                }

                byId[model.Id] = model;
            }

            _snapshot = Snapshot.Create(byId);
        }
    }

    /// <inheritdoc/>
    public void SetActive(string id, bool isActive)
    {
        lock (_writeLock)
        {
            var model = Get(id);
            Register(model with { IsActive = isActive });
        }
    }

    /// <summary>Writes every model (inactive ones included) as JSON.</summary>
    /// <param name="stream">Where to write.</param>
    public void Export(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonSerializer.Serialize(stream, new RegistryExport { Models = [.. _snapshot.Ordered] }, ModelCatalogJsonContext.Default.RegistryExport);
    }

    /// <summary>Reads models written by <see cref="Export"/> and registers each, replacing models with the same id.</summary>
    /// <param name="stream">Where to read.</param>
    /// <returns>The number of models imported.</returns>
    /// <exception cref="LlmKitConfigurationException">The JSON is not a registry export; nothing is imported.</exception>
    public int Import(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        RegistryExport? export;
        try
        {
            export = JsonSerializer.Deserialize(stream, ModelCatalogJsonContext.Default.RegistryExport);
        }
        catch (JsonException ex)
        {
            throw new LlmKitConfigurationException($"The model registry file is not valid: {ex.Message} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}). Nothing was imported.", ex);
        }

        if (export?.Models is not { } models || models.Any(m => string.IsNullOrWhiteSpace(m.Id) || string.IsNullOrWhiteSpace(m.Provider)))
        {
            throw new LlmKitConfigurationException("The model registry file has no 'models' array, or a model without 'id' or 'provider'. Nothing was imported.");
        }

        RegisterAll(models);
        return models.Count;
    }

    private static bool Matches(ModelDescriptor model, ModelQuery query)
    {
        if (!query.IncludeInactive && !model.IsActive)
        {
            return false;
        }

        if (query.Provider is { } provider && !string.Equals(model.Provider, provider, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if ((model.Capabilities & query.RequiredCapabilities) != query.RequiredCapabilities)
        {
            return false;
        }

        if (query.MinContextWindow is { } min && (model.ContextWindow ?? 0) < min)
        {
            return false;
        }

        if (query.MaxInputPerMillion is { } maxIn && (model.Pricing?.InputPerMillion is not { } input || input > maxIn))
        {
            return false;
        }

        return query.MaxOutputPerMillion is not { } maxOut || (model.Pricing?.OutputPerMillion is { } output && output <= maxOut);
    }

    /// <summary>One immutable state of the registry.</summary>
    internal sealed class Snapshot
    {
        public static readonly Snapshot Empty = Create(new Dictionary<string, ModelDescriptor>(StringComparer.OrdinalIgnoreCase));

        private Snapshot(Dictionary<string, ModelDescriptor> byId, Dictionary<string, string> idByAlias, ModelDescriptor[] ordered)
        {
            ById = byId;
            IdByAlias = idByAlias;
            Ordered = ordered;
        }

        public Dictionary<string, ModelDescriptor> ById { get; }

        public Dictionary<string, string> IdByAlias { get; }

        public ModelDescriptor[] Ordered { get; }

        /// <summary>Looks a model up by id or alias, case-insensitively, in this state only; a dated snapshot id not registered finds its base model.</summary>
        public bool TryGet(string idOrAlias, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelDescriptor? model)
            => TryGetExact(idOrAlias, out model)
            || (ModelSnapshotIds.TryGetBaseId(idOrAlias, out string? baseId) && TryGetExact(baseId, out model));

        /// <summary>Looks a model up by id or alias, case-insensitively, without resolving dated snapshot ids.</summary>
        public bool TryGetExact(string idOrAlias, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelDescriptor? model)
        {
            if (ById.TryGetValue(idOrAlias, out model))
            {
                return true;
            }

            if (IdByAlias.TryGetValue(idOrAlias, out string? id))
            {
                model = ById[id];
                return true;
            }

            model = null;
            return false;
        }

        public static Snapshot Create(Dictionary<string, ModelDescriptor> byId)
        {
            var aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var model in byId.Values)
            {
                foreach (string alias in model.Aliases)
                {
                    aliases[alias] = model.Id;
                }
            }

            return new Snapshot(byId, aliases, [.. byId.Values.OrderBy(m => m.Id, StringComparer.OrdinalIgnoreCase)]);
        }
    }
}
