using System.Globalization;
using System.Text.Json;

namespace LlmKit;

/// <summary>Reads the catalog embedded in the assembly into model descriptors.</summary>
internal static class ModelCatalogLoader
{
    private const string ResourceName = "LlmKit.Models.Data.model-catalog.json";

    public static (ModelCatalogInfo Info, IReadOnlyList<ModelDescriptor> Models) LoadEmbedded()
    {
        using var stream = typeof(ModelCatalogLoader).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new LlmKitConfigurationException($"The embedded model catalog '{ResourceName}' is missing from the LlmKit assembly. Reinstall the LlmKit package.");
        var file = JsonSerializer.Deserialize(stream, ModelCatalogJsonContext.Default.CatalogFile)
            ?? throw new LlmKitConfigurationException("The embedded model catalog is empty. Reinstall the LlmKit package.");
        var models = file.Models.Select(ToDescriptor).ToList();
        var source = file.Source;
        var info = new ModelCatalogInfo
        {
            Source = source is null
                ? "unknown"
                : $"{source.UpstreamRepository}/{source.UpstreamFile} via {source.TakenFrom} at {source.TakenFromCommit}",
            License = source?.UpstreamLicense ?? "unknown",
            Date = source?.FileCommitDate is { } date ? DateOnly.FromDateTime(date.UtcDateTime) : DateOnly.MinValue,
            ModelCount = models.Count,
        };
        return (info, models);
    }

    internal static ModelDescriptor ToDescriptor(CatalogModel model)
    {
        var pricing = ToPricing(model.UsdPerMtok, model.LongContextTiers, model.ServiceTiers);

        var flags = model.Capabilities ?? [];
        bool Has(string key) => flags.TryGetValue(key, out var value) && value == true;
        var capabilities = ModelCapabilities.None;
        bool chat = string.Equals(model.Mode, "chat", StringComparison.OrdinalIgnoreCase) || Has("chat");
        if (chat)
        {
            // The catalog leaves 'streaming' unset for most chat models; all of them stream over SSE.
            capabilities |= ModelCapabilities.Chat | ModelCapabilities.Streaming;
        }

        if (string.Equals(model.Mode, "embedding", StringComparison.OrdinalIgnoreCase))
        {
            capabilities |= ModelCapabilities.Embeddings;
        }

        if (Has("tools"))
        {
            capabilities |= ModelCapabilities.Tools | ModelCapabilities.ParallelToolCalls;
        }

        if (Has("vision"))
        {
            capabilities |= ModelCapabilities.Vision;
        }

        if (Has("json_schema"))
        {
            capabilities |= ModelCapabilities.JsonSchema;
        }

        if (Has("reasoning"))
        {
            capabilities |= ModelCapabilities.Reasoning;
        }

        if (Has("prompt_caching"))
        {
            capabilities |= ModelCapabilities.PromptCaching;
        }

        // 'gemini/gemini-2.5-pro' is called 'gemini-2.5-pro' by the provider's API; the short name is also an alias
        // unless the catalog says otherwise (it leaves out an alias that would be ambiguous).
        string? providerId = LiteLlmPriceMap.ShortName(model);
        return new ModelDescriptor
        {
            Id = model.Id,
            Provider = model.Provider,
            ProviderModelId = providerId,
            Aliases = model.Aliases is { } aliases ? [.. aliases] : providerId is null ? [] : [providerId],
            ContextWindow = model.ContextWindow,
            MaxOutputTokens = model.MaxOutputTokens,
            Pricing = pricing,
            Capabilities = capabilities,
            DeprecationDate = model.DeprecationDate,
            Source = "catalog",
        };
    }

    /// <summary>The prices of a catalog model or of one of its service tiers; <see langword="null"/> when neither input nor output is known.</summary>
    internal static ModelPricing? ToPricing(Dictionary<string, decimal?>? prices, List<Dictionary<string, decimal?>>? longContextTiers, Dictionary<string, CatalogTierPrices>? serviceTiers)
    {
        prices ??= [];
        decimal? Price(string key) => prices.TryGetValue(key, out var value) ? value : null;
        var tiers = new Dictionary<string, ModelPricing>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, tier) in serviceTiers ?? [])
        {
            // A tier without a published price stays unknown for that tier: it never falls back to the standard price.
            tiers[name] = ToPricing(tier.UsdPerMtok, tier.LongContextTiers, null) ?? new ModelPricing();
        }

        if (Price("input") is null && Price("output") is null && tiers.Count == 0)
        {
            return null;
        }

        return new ModelPricing
        {
            InputPerMillion = Price("input"),
            OutputPerMillion = Price("output"),
            CachedInputPerMillion = Price("cached_input"),
            CacheWritePerMillion = Price("cache_write"),
            CacheWrite1HourPerMillion = Price("cache_write_1h"),
            ReasoningPerMillion = Price("reasoning_output"),
            BatchInputPerMillion = Price("batch_input"),
            BatchOutputPerMillion = Price("batch_output"),
            ServiceTiers = tiers,
            LongContextTiers = (longContextTiers ?? [])
                .Select(t => new LongContextPricingTier
                {
                    AboveInputTokens = (long)(t.GetValueOrDefault("above_input_tokens") ?? 0m),
                    InputPerMillion = t.GetValueOrDefault("input"),
                    OutputPerMillion = t.GetValueOrDefault("output"),
                    CachedInputPerMillion = t.GetValueOrDefault("cached_input"),
                    CacheWritePerMillion = t.GetValueOrDefault("cache_write"),
                    CacheWrite1HourPerMillion = t.GetValueOrDefault("cache_write_1h"),
                })
                .OrderBy(t => t.AboveInputTokens)
                .ToArray(),
        };
    }

    internal static string FormatCapabilities(ModelCapabilities capabilities)
        => string.Join(",", Enum.GetValues<ModelCapabilities>().Where(c => c != ModelCapabilities.None && capabilities.HasFlag(c)).Select(c => c.ToString().ToLower(CultureInfo.InvariantCulture)));
}
