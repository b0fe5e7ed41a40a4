using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Tests.Models;

public class ModelRegistryTests
{
    [Fact]
    public void FromEmbeddedCatalog_ShippedFile_IsTheSharedDataByteForByte()
    {
        using var stream = typeof(ModelRegistry).Assembly.GetManifestResourceStream("LlmKit.Models.Data.model-catalog.json")!;

        string hash = Convert.ToHexStringLower(SHA256.HashData(stream));

        Assert.Equal("265d6a4e4eb49a7efbef3638c7567fa0545b46a5bcfc8593df5fc82a3c301905", hash);
    }

    [Fact]
    public void FromEmbeddedCatalog_MistralOutputLimitPlaceholder_IsReportedAsUnknown()
    {
        // The shipped file lists mistral-large-latest with context 262144 and output 262144; its provenance notes that
        // the output figure is a placeholder. Other providers' limits are kept (gpt-4o: 16,384 of 128,000).
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

        Assert.Equal(46, registry.CatalogInfo.ModelCount);
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

        Assert.Equal(46, count);
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
        Assert.Equal(246, registry.Query().Count);
    }
}
