using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Tests.Models;

public class ModelRegistryTests
{
    [Fact]
    public void FromEmbeddedCatalog_ShippedFile_IsTheGeneratedCatalogByteForByte()
    {
        // Written by tools/ModelCatalogGenerator from the 2026-08-01 LiteLLM map; regenerate rather than edit (tools/README.md).
        using var stream = typeof(ModelRegistry).Assembly.GetManifestResourceStream("LlmKit.Models.Data.model-catalog.json")!;

        string hash = Convert.ToHexStringLower(SHA256.HashData(stream));

        Assert.Equal("3138658b2b595e58230b51cefccfbdee19ea05ae27d94f34b3840cf1608bf801", hash);
    }

    [Fact]
    public void FromEmbeddedCatalog_MistralCopiedOutputLimit_IsReportedAsUnknown()
    {
        // The shipped file lists mistral-large-latest with context 262144 and output 262144; its provenance notes that
        // the output figure is the context window copied, not an output limit. Other providers' limits are kept (gpt-4o: 16,384 of 128,000).
        var registry = ModelRegistry.FromEmbeddedCatalog();

        var mistral = registry.Get("mistral/mistral-large-latest");
        Assert.Equal(262_144, mistral.ContextWindow);
        Assert.Null(mistral.MaxOutputTokens);
        Assert.Equal(16_384, registry.Get("gpt-4o").MaxOutputTokens);
    }

    [Fact]
    public void FromEmbeddedCatalog_Provenance_IsVisibleWithDateAndLicense()
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();

        Assert.Equal(309, registry.CatalogInfo.ModelCount);
        Assert.Equal(new DateOnly(2026, 8, 1), registry.CatalogInfo.Date);
        Assert.Contains("BerriAI/litellm", registry.CatalogInfo.Source, StringComparison.Ordinal);
        Assert.StartsWith("MIT", registry.CatalogInfo.License, StringComparison.Ordinal);
    }

    [Fact]
    public void TryGet_CatalogModel_HasPricesWindowAndCapabilitiesFromTheFile()
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();

        Assert.True(registry.TryGet("GPT-4O", out var model));
        Assert.Equal("openai", model.Provider);
        Assert.Equal(128000, model.ContextWindow);
        Assert.Equal(16384, model.MaxOutputTokens);
        Assert.Equal(2.5m, model.Pricing!.InputPerMillion);
        Assert.Equal(10m, model.Pricing.OutputPerMillion);
        Assert.Equal(1.25m, model.Pricing.CachedInputPerMillion);
        Assert.Null(model.Pricing.CacheWritePerMillion);
        Assert.Equal(1.25m, model.Pricing.BatchInputPerMillion);
        Assert.True(model.Capabilities.HasFlag(ModelCapabilities.Tools | ModelCapabilities.Vision | ModelCapabilities.JsonSchema | ModelCapabilities.Streaming));
        Assert.False(model.Capabilities.HasFlag(ModelCapabilities.Reasoning));
    }

    [Fact]
    public void TryGet_ProviderPrefixedId_IsAlsoFoundByTheProvidersOwnName()
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();

        Assert.True(registry.TryGet("gemini-2.5-pro", out var model));
        Assert.Equal("gemini/gemini-2.5-pro", model.Id);
        Assert.Equal("gemini-2.5-pro", model.ProviderModelId);
        var tier = Assert.Single(model.Pricing!.LongContextTiers);
        Assert.Equal(200000, tier.AboveInputTokens);
        Assert.Equal(2.5m, tier.InputPerMillion);
    }

    [Fact]
    public void TryGet_AnthropicModel_HasBothCacheWriteRates()
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();

        var model = registry.Get("claude-sonnet-4-20250514");

        Assert.Equal(3.75m, model.Pricing!.CacheWritePerMillion);
        Assert.Equal(6m, model.Pricing.CacheWrite1HourPerMillion);
        Assert.Equal(new DateOnly(2026, 5, 14), model.DeprecationDate);
    }

    [Fact]
    public void Query_ProviderCapabilityWindowAndPrice_FilterTogether()
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();

        var models = registry.Query(new ModelQuery { Provider = "openai", RequiredCapabilities = ModelCapabilities.Reasoning, MinContextWindow = 200_000, MaxInputPerMillion = 2m });

        Assert.NotEmpty(models);
        Assert.All(models, m =>
        {
            Assert.Equal("openai", m.Provider);
            Assert.True(m.Capabilities.HasFlag(ModelCapabilities.Reasoning));
            Assert.True(m.ContextWindow >= 200_000);
            Assert.True(m.Pricing!.InputPerMillion <= 2m);
        });
        Assert.Equal(models.OrderBy(m => m.Id, StringComparer.OrdinalIgnoreCase).Select(m => m.Id), models.Select(m => m.Id));
    }

    [Fact]
    public void Query_ModelWithoutPrice_NeverMatchesAPriceFilter()
    {
        var registry = new ModelRegistry(new ModelCatalogInfo { Source = "t", License = "t", Date = default }, [new ModelDescriptor { Id = "free?", Provider = "x" }]);

        Assert.Empty(registry.Query(new ModelQuery { MaxInputPerMillion = 1000m }));
        Assert.Single(registry.Query());
    }

    [Fact]
    public void SetActive_Deactivate_HidesFromQueryButKeepsLookupAndCanReactivate()
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();

        registry.SetActive("gpt-4o-mini", false);

        Assert.DoesNotContain(registry.Query(), m => m.Id == "gpt-4o-mini");
        Assert.Contains(registry.Query(new ModelQuery { IncludeInactive = true }), m => m.Id == "gpt-4o-mini");
        Assert.False(registry.Get("gpt-4o-mini").IsActive);
        registry.SetActive("gpt-4o-mini", true);
        Assert.Contains(registry.Query(), m => m.Id == "gpt-4o-mini");
    }

    [Fact]
    public void Register_AliasOfAnotherModel_ThrowsAndLeavesRegistryUnchanged()
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => registry.Register(new ModelDescriptor { Id = "mine", Provider = "x", Aliases = ["gemini-2.5-pro"] }));

        Assert.Contains("gemini/gemini-2.5-pro", ex.Message, StringComparison.Ordinal);
        Assert.False(registry.TryGet("mine", out _));
    }

    [Fact]
    public void Get_Unknown_ThrowsModelNotFoundNamingTheModel()
    {
        var ex = Assert.Throws<ModelNotFoundException>(() => ModelRegistry.FromEmbeddedCatalog().Get("gpt-99"));

        Assert.Equal("gpt-99", ex.ModelId);
    }

    [Fact]
    public void ExportThenImport_IntoEmptyRegistry_RoundTripsEveryModel()
    {
        var source = ModelRegistry.FromEmbeddedCatalog();
        source.SetActive("o3", false);
        using var stream = new MemoryStream();

        source.Export(stream);
        stream.Position = 0;
        var target = new ModelRegistry(source.CatalogInfo, []);
        int count = target.Import(stream);

        Assert.Equal(309, count);
        foreach (var model in source.Query(new ModelQuery { IncludeInactive = true }))
        {
            var copy = target.Get(model.Id);
            Assert.Equal(model with { Aliases = [], Pricing = null }, copy with { Aliases = [], Pricing = null });
            Assert.Equal(model.Aliases, copy.Aliases);
            Assert.Equal(model.Pricing?.InputPerMillion, copy.Pricing?.InputPerMillion);
            Assert.Equal(model.Pricing?.LongContextTiers.Count ?? 0, copy.Pricing?.LongContextTiers.Count ?? 0);
        }
    }

    [Fact]
    public void Import_Corrupt_ThrowsWithPositionAndImportsNothing()
    {
        var registry = new ModelRegistry(new ModelCatalogInfo { Source = "t", License = "t", Date = default }, []);

        var ex = Assert.Throws<LlmKitConfigurationException>(() => registry.Import(new MemoryStream("{\"models\":[{\"id\":\"a\",\"provider\":\"p\"},"u8.ToArray())));

        Assert.Contains("line", ex.Message, StringComparison.Ordinal);
        Assert.Empty(registry.Query(new ModelQuery { IncludeInactive = true }));
    }

    [Fact]
    public void AddLlmKit_CatalogConfiguration_OverridesPricesAndAddsModels()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection([
            new("LlmKit:Catalog:gpt-4o:Pricing:InputPerMillion", "2.0"),
            new("LlmKit:Catalog:my-finetune:Provider", "openai"),
            new("LlmKit:Catalog:my-finetune:ContextWindow", "16000"),
            new("LlmKit:Catalog:my-finetune:Capabilities:0", "Chat"),
            new("LlmKit:Catalog:my-finetune:Capabilities:1", "tools"),
            new("LlmKit:Catalog:my-finetune:Aliases:0", "ft"),
        ]).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(config);
        using var sp = services.BuildServiceProvider();

        var registry = sp.GetRequiredService<IModelRegistry>();

        var gpt = registry.Query().Single(m => m.Id == "gpt-4o");
        Assert.Equal(2.0m, gpt.Pricing!.InputPerMillion);
        Assert.Equal(10m, gpt.Pricing.OutputPerMillion);
        Assert.True(registry.TryGet("ft", out var finetune));
        Assert.Equal(ModelCapabilities.Chat | ModelCapabilities.Tools, finetune.Capabilities);
        Assert.Null(finetune.Pricing);
        Assert.Equal("configuration", finetune.Source);
    }

    [Fact]
    public void AddLlmKit_UnknownCapabilityInCatalog_FailsValidationNamingTheKey()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection([new("LlmKit:Catalog:x:Provider", "p"), new("LlmKit:Catalog:x:Capabilities:0", "Telepathy")]).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(config);
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IModelRegistry>());

        Assert.Contains("LlmKit:Catalog:x:Capabilities", ex.Keys);
    }

    [Fact]
    public async Task TryGet_ConcurrentWithRegister_NeverSeesAHalfUpdatedRegistry()
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();
        using var cts = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 4).Select(reader => Task.Run(() =>
        {
            int misses = 0;
            while (!cts.IsCancellationRequested)
            {
                if (!registry.TryGet("gpt-4o", out _) || !registry.TryGet("gemini-2.5-pro", out _))
                {
                    misses++;
                }
            }

            return misses;
        })).ToList();

        for (int i = 0; i < 200; i++)
        {
            registry.Register(new ModelDescriptor { Id = $"m{i}", Provider = "p", Aliases = [$"a{i}"] });
        }

        await cts.CancelAsync();
        Assert.All(await Task.WhenAll(readers), misses => Assert.Equal(0, misses));
        Assert.Equal(509, registry.Query().Count);
    }

    [Theory]
    [InlineData("openai", 117)]
    [InlineData("anthropic", 24)]
    [InlineData("gemini", 49)]
    [InlineData("mistral", 54)]
    [InlineData("deepseek", 12)]
    [InlineData("xai", 40)]
    [InlineData("groq", 11)]
    [InlineData("together_ai", 2)]
    public void FromEmbeddedCatalog_EveryChatAndEmbeddingModelOfTheMap_IsInTheCatalog(string provider, int count)
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();

        Assert.Equal(count, registry.Query(new ModelQuery { Provider = provider, IncludeInactive = true }).Count);
    }

    [Theory]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o-2024-08-06")]
    [InlineData("claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929")]
    [InlineData("gemini-2.0-flash-001", "gemini/gemini-2.0-flash-001")]
    [InlineData("gpt-5.6-2026-07-30", "gpt-5.6")]
    [InlineData("claude-sonnet-5-20260701", "claude-sonnet-5")]
    [InlineData("gemini-2.5-flash-001", "gemini/gemini-2.5-flash")]
    public void TryGet_DatedSnapshotId_FindsItsOwnEntryOrElseItsBaseModel(string id, string expected)
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();

        Assert.True(registry.TryGet(id, out var model));
        Assert.Equal(expected, model.Id);
    }

    [Theory]
    [InlineData("claude-3-5-sonnet-20241022")]
    [InlineData("gpt-4o-2024-13-06")]
    public void TryGet_DatedIdWithoutABaseModelOrNotARealDate_IsNotFound(string id)
    {
        Assert.False(ModelRegistry.FromEmbeddedCatalog().TryGet(id, out _));
    }

    [Fact]
    public void TryGet_FlexAndPriorityTiers_AreLoadedFromTheCatalog()
    {
        var pricing = ModelRegistry.FromEmbeddedCatalog().Get("o3").Pricing!;

        Assert.Equal((1m, 4m, 0.25m), (pricing.ServiceTiers["flex"].InputPerMillion!.Value, pricing.ServiceTiers["flex"].OutputPerMillion!.Value, pricing.ServiceTiers["flex"].CachedInputPerMillion!.Value));
        Assert.Equal((3.5m, 14m), (pricing.ServiceTiers["priority"].InputPerMillion!.Value, pricing.ServiceTiers["priority"].OutputPerMillion!.Value));
    }

    [Fact]
    public void FromEmbeddedCatalog_KnownQuirks_AreCorrectedAndListedInTheProvenance()
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();

        Assert.Equal(0.5m, registry.Get("claude-3-haiku-20240307").Pricing!.CacheWrite1HourPerMillion);
        Assert.False(registry.TryGet("gemini/gemini-1.5-flash", out _));
        Assert.All(registry.Query(new ModelQuery { Provider = "mistral" }), m => Assert.True(m.MaxOutputTokens is null || m.MaxOutputTokens != m.ContextWindow));
    }

    [Fact]
    public void AddLlmKit_ServiceTierInCatalogConfiguration_IsPricedAndKeepsTheCatalogsOtherTiers()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection([
            new("LlmKit:Catalog:gpt-4o:Pricing:ServiceTiers:flex:InputPerMillion", "1.25"),
            new("LlmKit:Catalog:gpt-4o:Pricing:ServiceTiers:flex:OutputPerMillion", "5"),
        ]).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(config);
        using var sp = services.BuildServiceProvider();

        var tiers = sp.GetRequiredService<IModelRegistry>().Query().Single(m => m.Id == "gpt-4o").Pricing!.ServiceTiers;
        var cost = sp.GetRequiredService<ICostCalculator>().Calculate("gpt-4o", new Microsoft.Extensions.AI.UsageDetails { InputTokenCount = 1_000_000, OutputTokenCount = 1_000_000 }, "flex");

        Assert.Equal(1.25m, tiers["flex"].InputPerMillion);
        Assert.Equal(4.25m, tiers["priority"].InputPerMillion);
        Assert.Equal(6.25m, cost.Total);
        Assert.Equal("flex", cost.Tier);
    }
}
