using System.Text;

namespace LlmKit.Tests.Models.LiteLlm;

public class LiteLlmPriceMapTests
{
    private static (List<CatalogModel> Models, int Entries, List<string> Corrections) Read(string json)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return LiteLlmPriceMap.Read(stream, "prices.json");
    }

    [Fact]
    public void Read_FullEntry_MapsPricesTiersCapabilitiesAndLimits()
    {
        var (models, entries, _) = Read("""
            {
              "sample_spec": { "max_tokens": "LEGACY", "input_cost_per_token": 0 },
              "m": {
                "litellm_provider": "openai", "mode": "chat", "max_input_tokens": 400000, "max_output_tokens": 128000,
                "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-07,
                "cache_creation_input_token_cost": 2.5e-06, "cache_creation_input_token_cost_above_1hr": 3e-06,
                "output_cost_per_reasoning_token": 2e-05,
                "input_cost_per_token_batches": 6.25e-07, "output_cost_per_token_batches": 5e-06,
                "input_cost_per_token_above_272k_tokens": 2.5e-06, "output_cost_per_token_above_272k_tokens": 1.5e-05,
                "cache_creation_input_token_cost_above_1hr_above_272k_tokens": 6e-06,
                "input_cost_per_token_flex": 6.25e-07, "output_cost_per_token_flex": 5e-06, "cache_read_input_token_cost_flex": 6.25e-08,
                "input_cost_per_token_above_272k_tokens_flex": 1.25e-06,
                "input_cost_per_token_priority": 2.5e-06,
                "input_cost_per_audio_token": 1e-04,
                "supports_function_calling": true, "supports_vision": true, "supports_response_schema": false,
                "supports_reasoning": true, "supports_native_streaming": true
              },
              "image": { "litellm_provider": "openai", "mode": "image_generation", "output_cost_per_image": 0.04 }
            }
            """);

        Assert.Equal(2, entries);
        var model = Assert.Single(models);
        var descriptor = ModelCatalogLoader.ToDescriptor(model);
        var pricing = descriptor.Pricing!;
        Assert.Equal((400_000, 128_000), (descriptor.ContextWindow, descriptor.MaxOutputTokens));
        Assert.Equal((1.25m, 10m, 0.125m, 2.5m, 3m, 20m), (pricing.InputPerMillion!.Value, pricing.OutputPerMillion!.Value, pricing.CachedInputPerMillion!.Value, pricing.CacheWritePerMillion!.Value, pricing.CacheWrite1HourPerMillion!.Value, pricing.ReasoningPerMillion!.Value));
        Assert.Equal((0.625m, 5m), (pricing.BatchInputPerMillion!.Value, pricing.BatchOutputPerMillion!.Value));
        var tier = Assert.Single(pricing.LongContextTiers);
        Assert.Equal((272_000L, 2.5m, 15m, 6m), (tier.AboveInputTokens, tier.InputPerMillion!.Value, tier.OutputPerMillion!.Value, tier.CacheWrite1HourPerMillion!.Value));
        Assert.Null(tier.CachedInputPerMillion);
        var flex = pricing.ServiceTiers["flex"];
        Assert.Equal((0.625m, 5m, 0.0625m), (flex.InputPerMillion!.Value, flex.OutputPerMillion!.Value, flex.CachedInputPerMillion!.Value));
        Assert.Equal(1.25m, Assert.Single(flex.LongContextTiers).InputPerMillion);
        var priority = pricing.ServiceTiers["priority"];
        Assert.Equal(2.5m, priority.InputPerMillion);
        Assert.Null(priority.OutputPerMillion);
        Assert.Equal(ModelCapabilities.Chat | ModelCapabilities.Streaming | ModelCapabilities.Tools | ModelCapabilities.ParallelToolCalls | ModelCapabilities.Vision | ModelCapabilities.Reasoning, descriptor.Capabilities);
    }

    [Fact]
    public void Read_PriceNotGiven_StaysUnknownNeverZero()
    {
        var (models, _, _) = Read("""{ "e": { "litellm_provider": "mistral", "mode": "embedding", "input_cost_per_token": 1e-07, "output_cost_per_token": null } }""");

        var pricing = ModelCatalogLoader.ToDescriptor(Assert.Single(models)).Pricing!;
        Assert.Equal(0.1m, pricing.InputPerMillion);
        Assert.Null(pricing.OutputPerMillion);
        Assert.Null(pricing.CachedInputPerMillion);
        Assert.Empty(pricing.ServiceTiers);
    }

    [Fact]
    public void Read_FloatingPointNoise_IsRoundedAway()
    {
        var (models, _, _) = Read("""{ "m": { "litellm_provider": "xai", "mode": "chat", "input_cost_per_token": 2.7500000000000002e-06 } }""");

        Assert.Equal("2.75", Assert.Single(models).UsdPerMtok!["input"]!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Read_DeepSeekCacheHitKey_IsTheCachedPriceWhenTheUsualKeyIsAbsent()
    {
        var (models, _, _) = Read("""{ "deepseek/x": { "litellm_provider": "deepseek", "mode": "chat", "input_cost_per_token": 2.8e-07, "input_cost_per_token_cache_hit": 2.8e-08 } }""");

        Assert.Equal(0.028m, Assert.Single(models).UsdPerMtok!["cached_input"]);
    }

    [Theory]
    [InlineData("""{ "m": { "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": "0.000001" } }""", "m", "input_cost_per_token")]
    [InlineData("""{ "m": { "litellm_provider": "openai", "mode": "chat", "output_cost_per_token": -1e-06 } }""", "m", "output_cost_per_token")]
    [InlineData("""{ "m": { "litellm_provider": "openai", "mode": "chat", "max_input_tokens": 1.5 } }""", "m", "max_input_tokens")]
    [InlineData("""{ "m": { "litellm_provider": "openai", "mode": "chat", "supports_vision": "yes" } }""", "m", "supports_vision")]
    [InlineData("""{ "m": { "litellm_provider": "openai", "mode": "chat", "deprecation_date": "soon" } }""", "m", "deprecation_date")]
    [InlineData("""{ "m": { "mode": "chat" } }""", "m", "litellm_provider")]
    [InlineData("""{ "m": 42 }""", "m", null)]
    public void Read_MalformedEntry_ThrowsNamingFileEntryAndField(string json, string entry, string? field)
    {
        var ex = Assert.Throws<ModelPriceFileException>(() => Read(json));

        Assert.Equal("prices.json", ex.PriceFile);
        Assert.Equal(entry, ex.Entry);
        Assert.Equal(field, ex.Field);
        Assert.Contains("'prices.json'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"entry '{entry}'", ex.Message, StringComparison.Ordinal);
        if (field is not null)
        {
            Assert.Contains($"field '{field}'", ex.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("{ \"m\": ")]
    [InlineData("[1, 2]")]
    public void Read_NotAPriceMap_ThrowsNamingTheFile(string json)
    {
        var ex = Assert.Throws<ModelPriceFileException>(() => Read(json));

        Assert.Equal("prices.json", ex.PriceFile);
        Assert.Null(ex.Entry);
        Assert.Contains("'prices.json'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssignAliases_ProviderPrefixedIds_GetTheShortNameUnlessAmbiguous()
    {
        var (models, _, _) = Read("""
            {
              "gemini/gemini-2.5-pro": { "litellm_provider": "gemini", "mode": "chat" },
              "deepseek/deepseek-chat": { "litellm_provider": "deepseek", "mode": "chat" },
              "deepseek-chat": { "litellm_provider": "deepseek", "mode": "chat" },
              "azure/gpt-4o": { "litellm_provider": "azure", "mode": "chat" },
              "groq/openai/gpt-oss-20b": { "litellm_provider": "groq", "mode": "chat" }
            }
            """);

        // gpt-4o is already a model of the registry the entries go to.
        LiteLlmPriceMap.AssignAliases(models, (name, _) => name == "gpt-4o");

        var aliases = models.ToDictionary(m => m.Id, m => m.Aliases!);
        Assert.Equal(["gemini-2.5-pro"], aliases["gemini/gemini-2.5-pro"]);
        Assert.Empty(aliases["deepseek/deepseek-chat"]);
        Assert.Empty(aliases["azure/gpt-4o"]);
        Assert.Equal(["openai/gpt-oss-20b"], aliases["groq/openai/gpt-oss-20b"]);
    }
}
