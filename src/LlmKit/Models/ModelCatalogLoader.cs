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
        var prices = model.UsdPerMtok ?? [];
        decimal? Price(string key) => prices.TryGetValue(key, out var value) ? value : null;
        ModelPricing? pricing = prices.Count == 0 || (Price("input") is null && Price("output") is null) ? null : new ModelPricing
        {
            InputPerMillion = Price("input"),
            OutputPerMillion = Price("output"),
            CachedInputPerMillion = Price("cached_input"),
            CacheWritePerMillion = Price("cache_write"),
            CacheWrite1HourPerMillion = Price("cache_write_1h"),
            ReasoningPerMillion = Price("reasoning_output"),
            BatchInputPerMillion = Price("batch_input"),
            BatchOutputPerMillion = Price("batch_output"),
            LongContextTiers = (model.LongContextTiers ?? [])
                .Select(t => new LongContextPricingTier
                {
                    AboveInputTokens = (long)(t.GetValueOrDefault("above_input_tokens") ?? 0m),
                    InputPerMillion = t.GetValueOrDefault("input"),
                    OutputPerMillion = t.GetValueOrDefault("output"),
                    CachedInputPerMillion = t.GetValueOrDefault("cached_input"),
                    CacheWritePerMillion = t.GetValueOrDefault("cache_write"),
                })
                .OrderBy(t => t.AboveInputTokens)
                .ToArray(),
        };

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

        // 'gemini/gemini-2.5-pro' is called 'gemini-2.5-pro' by the provider's API; the short name is also an alias.
        int slash = model.Id.IndexOf('/', StringComparison.Ordinal);
        string? providerId = slash > 0 ? model.Id[(slash + 1)..] : null;
        return new ModelDescriptor
        {
            Id = model.Id,
            Provider = model.Provider,
            ProviderModelId = providerId,
            Aliases = providerId is null ? [] : [providerId],
            ContextWindow = model.ContextWindow,
            MaxOutputTokens = PlaceholderOutputLimit(model) ? null : model.MaxOutputTokens,
            Pricing = pricing,
            Capabilities = capabilities,
            DeprecationDate = model.DeprecationDate,
            Source = "catalog",
        };
    }

    /// <summary>
    /// The catalog's provenance lists as a known quirk that its mistral entries repeat the context window as the output
    /// limit (a placeholder, not Mistral's limit): such a limit is reported as unknown rather than passed on as a fact.
    /// </summary>
    internal static bool PlaceholderOutputLimit(CatalogModel model)
        => string.Equals(model.Provider, "mistral", StringComparison.OrdinalIgnoreCase)
            && model.MaxOutputTokens is { } output
            && output == model.ContextWindow;

    internal static string FormatCapabilities(ModelCapabilities capabilities)
        => string.Join(",", Enum.GetValues<ModelCapabilities>().Where(c => c != ModelCapabilities.None && capabilities.HasFlag(c)).Select(c => c.ToString().ToLower(CultureInfo.InvariantCulture)));
}
