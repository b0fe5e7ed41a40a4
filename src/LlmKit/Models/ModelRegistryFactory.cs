namespace LlmKit;

/// <summary>Builds the app's registry: the shipped catalog, then the price file of <c>LlmKit:ModelCatalog:PriceFile</c>, then the <c>LlmKit:Catalog</c> entries on top.</summary>
internal static class ModelRegistryFactory
{
    public static ModelRegistry Create(LlmKitOptions options)
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();
        if (options.ModelCatalog.PriceFile is { Length: > 0 } priceFile)
        {
            try
            {
                registry.ImportLiteLlmPrices(Path.GetFullPath(priceFile));
            }
            catch (ModelPriceFileException ex)
            {
                throw new ModelPriceFileException($"'LlmKit:ModelCatalog:PriceFile': {ex.Message}", ex.PriceFile ?? priceFile, ex.Entry, ex.Field, ex);
            }
        }

        foreach (var (id, entry) in options.Catalog)
        {
            registry.Register(Apply(id, entry, registry.TryGet(id, out var existing) ? existing : null));
        }

        return registry;
    }

    internal static ModelDescriptor Apply(string id, ModelCatalogEntryOptions entry, ModelDescriptor? existing)
    {
        var model = existing ?? new ModelDescriptor
        {
            Id = id,
            Provider = entry.Provider ?? throw new LlmKitConfigurationException($"'LlmKit:Catalog:{id}:Provider' is required for a model that is not in the catalog.", [$"LlmKit:Catalog:{id}:Provider"]),
            Source = "configuration",
        };
        var prices = entry.Pricing;
        var current = model.Pricing ?? new ModelPricing();
        return model with
        {
            Provider = entry.Provider ?? model.Provider,
            ProviderModelId = entry.ProviderModelId ?? model.ProviderModelId,
            Aliases = [.. model.Aliases.Concat(entry.Aliases).Distinct(StringComparer.OrdinalIgnoreCase)],
            ContextWindow = entry.ContextWindow ?? model.ContextWindow,
            MaxOutputTokens = entry.MaxOutputTokens ?? model.MaxOutputTokens,
            Capabilities = entry.Capabilities is { } names ? ParseCapabilities(id, names) : model.Capabilities,
            IsActive = entry.IsActive ?? model.IsActive,
            Pricing = prices is null ? model.Pricing : current with
            {
                InputPerMillion = prices.InputPerMillion ?? current.InputPerMillion,
                OutputPerMillion = prices.OutputPerMillion ?? current.OutputPerMillion,
                CachedInputPerMillion = prices.CachedInputPerMillion ?? current.CachedInputPerMillion,
                CacheWritePerMillion = prices.CacheWritePerMillion ?? current.CacheWritePerMillion,
                CacheWrite1HourPerMillion = prices.CacheWrite1HourPerMillion ?? current.CacheWrite1HourPerMillion,
                ReasoningPerMillion = prices.ReasoningPerMillion ?? current.ReasoningPerMillion,
                BatchInputPerMillion = prices.BatchInputPerMillion ?? current.BatchInputPerMillion,
                BatchOutputPerMillion = prices.BatchOutputPerMillion ?? current.BatchOutputPerMillion,
                LongContextTiers = prices.LongContextTiers.Count > 0 ? prices.LongContextTiers : current.LongContextTiers,
                ServiceTiers = prices.ServiceTiers.Count == 0 ? current.ServiceTiers : MergeTiers(current.ServiceTiers, prices.ServiceTiers),
            },
            Source = existing is null ? "configuration" : existing.Source + "+configuration",
        };
    }

    /// <summary>The configured service tiers replace the same-named tiers of the catalog and keep the others.</summary>
    private static Dictionary<string, ModelPricing> MergeTiers(IReadOnlyDictionary<string, ModelPricing> current, IReadOnlyDictionary<string, ModelPricing> configured)
    {
        var merged = new Dictionary<string, ModelPricing>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, tier) in current)
        {
            merged[name] = tier;
        }

        foreach (var (name, tier) in configured)
        {
            merged[name] = tier;
        }

        return merged;
    }

    internal static ModelCapabilities ParseCapabilities(string id, IEnumerable<string> names)
    {
        var result = ModelCapabilities.None;
        foreach (string name in names)
        {
            if (!Enum.TryParse(name, ignoreCase: true, out ModelCapabilities capability) || !Enum.IsDefined(capability))
            {
                throw new LlmKitConfigurationException(
                    $"'LlmKit:Catalog:{id}:Capabilities' names unknown capability '{name}'. Known: {string.Join(", ", Enum.GetNames<ModelCapabilities>().Where(n => n != nameof(ModelCapabilities.None)))}.",
                    [$"LlmKit:Catalog:{id}:Capabilities"]);
            }

            result |= capability;
        }

        return result;
    }
}
