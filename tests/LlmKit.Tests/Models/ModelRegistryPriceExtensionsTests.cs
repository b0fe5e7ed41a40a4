using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NSubstitute;

namespace LlmKit.Tests.Models;

public sealed class ModelRegistryPriceExtensionsTests : IDisposable
{
    private const string PriceFile = """
        {
          "gpt-4o": { "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06, "input_cost_per_token_flex": 1e-06, "output_cost_per_token_flex": 4e-06 },
          "my-new-model": { "litellm_provider": "openai", "mode": "chat", "max_input_tokens": 32000, "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "supports_function_calling": true },
          "gemini-2.5-pro": { "litellm_provider": "vertex_ai-language-models", "mode": "chat", "input_cost_per_token": 9e-06 },
          "vertex_ai/x-image": { "litellm_provider": "vertex_ai", "mode": "image_generation", "output_cost_per_image": 0.04 }
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("llmkit-prices-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string json, string name = "prices.json")
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void ImportLiteLlmPrices_File_OverridesExistingAndAddsNewModels()
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();
        int before = registry.Query(new ModelQuery { IncludeInactive = true }).Count;

        int count = registry.ImportLiteLlmPrices(Write(PriceFile));

        Assert.Equal(2, count);
        var gpt = registry.Get("gpt-4o");
        Assert.Equal((2m, 8m), (gpt.Pricing!.InputPerMillion!.Value, gpt.Pricing.OutputPerMillion!.Value));
        Assert.Equal(128_000, gpt.ContextWindow); // the file does not say: the catalog's value stays
        Assert.Equal("catalog+prices:prices.json", gpt.Source);
        Assert.Equal(1m, gpt.Pricing.ServiceTiers["flex"].InputPerMillion);
        var added = registry.Get("my-new-model");
        Assert.Equal(32_000, added.ContextWindow);
        Assert.True(added.Capabilities.HasFlag(ModelCapabilities.Tools));
        Assert.Equal(before + 1, registry.Query(new ModelQuery { IncludeInactive = true }).Count);
    }

    [Fact]
    public void ImportLiteLlmPrices_EntryNamedLikeAnotherModelsAlias_IsLeftOutSoItDoesNotShadowIt()
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();

        registry.ImportLiteLlmPrices(Write(PriceFile));

        var gemini = registry.Get("gemini-2.5-pro");
        Assert.Equal("gemini/gemini-2.5-pro", gemini.Id);
        Assert.Equal(1.25m, gemini.Pricing!.InputPerMillion);
    }

    [Fact]
    public void ImportLiteLlmPrices_ThenCost_UsesTheImportedPricesAndTiers()
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();
        var calculator = new CostCalculator(registry);
        var usage = new UsageDetails { InputTokenCount = 1_000_000, OutputTokenCount = 1_000_000 };
        Assert.Equal(12.5m, calculator.Calculate("gpt-4o", usage).Total);

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(PriceFile));
        registry.ImportLiteLlmPrices(stream, "refresh.json");

        Assert.Equal(10m, calculator.Calculate("gpt-4o", usage).Total);
        Assert.Equal(5m, calculator.Calculate("gpt-4o-2099-01-01", usage, "flex").Total);
    }

    [Fact]
    public void ImportLiteLlmPrices_BadEntry_ThrowsNamingFileEntryAndFieldAndImportsNothing()
    {
        var registry = ModelRegistry.FromEmbeddedCatalog();
        string path = Write("""
            {
              "my-new-model": { "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06 },
              "broken": { "litellm_provider": "openai", "mode": "chat", "output_cost_per_token": "cheap" }
            }
            """);

        var ex = Assert.Throws<ModelPriceFileException>(() => registry.ImportLiteLlmPrices(path));

        Assert.Equal((path, "broken", "output_cost_per_token"), (ex.PriceFile, ex.Entry, ex.Field));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.False(registry.TryGet("my-new-model", out _));
    }

    [Fact]
    public void ImportLiteLlmPrices_MissingFile_ThrowsNamingTheFile()
    {
        string path = Path.Combine(_directory, "nope.json");

        var ex = Assert.Throws<ModelPriceFileException>(() => ModelRegistry.FromEmbeddedCatalog().ImportLiteLlmPrices(path));

        Assert.Equal(path, ex.PriceFile);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImportLiteLlmPrices_AnotherRegistryImplementation_RegistersThroughTheInterface()
    {
        var registry = Substitute.For<IModelRegistry>();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(PriceFile));

        int count = registry.ImportLiteLlmPrices(stream);

        Assert.Equal(3, count);
        Received.InOrder(() =>
        {
            registry.Register(Arg.Is<ModelDescriptor>(m => m.Id == "gpt-4o"));
            registry.Register(Arg.Is<ModelDescriptor>(m => m.Id == "my-new-model"));
            registry.Register(Arg.Is<ModelDescriptor>(m => m.Id == "gemini-2.5-pro"));
        });
        registry.ReceivedWithAnyArgs(3).Register(default!);
    }

    [Fact]
    public void AddLlmKit_PriceFileInConfiguration_IsImportedBeforeCatalogEntries()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection([
            new("LlmKit:ModelCatalog:PriceFile", Write(PriceFile)),
            new("LlmKit:Catalog:gpt-4o:Pricing:OutputPerMillion", "9"),
        ]).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(config);
        using var sp = services.BuildServiceProvider();

        var registry = sp.GetRequiredService<IModelRegistry>();

        var gpt = registry.Query().Single(m => m.Id == "gpt-4o");
        Assert.Equal((2m, 9m), (gpt.Pricing!.InputPerMillion!.Value, gpt.Pricing.OutputPerMillion!.Value));
        Assert.True(registry.TryGet("my-new-model", out _));
        Assert.Equal(Write(PriceFile), sp.GetRequiredService<IOptions<LlmKitOptions>>().Value.ModelCatalog.PriceFile);
    }

    [Fact]
    public void AddLlmKit_BadPriceFileInConfiguration_FailsNamingTheKeyFileAndEntry()
    {
        string path = Write("""{ "m": { "litellm_provider": "openai", "mode": "chat", "max_output_tokens": "lots" } }""", "bad.json");
        var config = new ConfigurationBuilder().AddInMemoryCollection([new("LlmKit:ModelCatalog:PriceFile", path)]).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(config);
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<ModelPriceFileException>(() => sp.GetRequiredService<IModelRegistry>());

        Assert.Contains("LlmKit:ModelCatalog:PriceFile", ex.Message, StringComparison.Ordinal);
        Assert.Contains("bad.json", ex.Message, StringComparison.Ordinal);
        Assert.Equal(("m", "max_output_tokens"), (ex.Entry, ex.Field));
    }

    [Fact]
    public void AddLlmKit_MissingPriceFileInConfiguration_FailsValidationNamingTheKey()
    {
        string path = Path.Combine(_directory, "missing.json");
        var config = new ConfigurationBuilder().AddInMemoryCollection([new("LlmKit:ModelCatalog:PriceFile", path)]).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(config);
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IOptions<LlmKitOptions>>().Value);

        Assert.Contains("LlmKit:ModelCatalog:PriceFile", ex.Keys);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }
}
