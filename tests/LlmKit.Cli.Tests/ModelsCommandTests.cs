using System.Text.Json;

namespace LlmKit.Cli.Tests;

public class ModelsCommandTests
{
    [Fact]
    public async Task Models_JsonWithFilters_PrintsOnlyMatchingModelsInTheContractShape()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "models", "--json", "--provider", "anthropic", "--capability", "reasoning", "--min-context", "500000");

        Assert.Equal(0, exit);
        var models = JsonDocument.Parse(stdout).RootElement;
        Assert.True(models.GetArrayLength() > 0);
        foreach (var model in models.EnumerateArray())
        {
            Assert.Equal("anthropic", model.GetProperty("provider").GetString());
            Assert.True(model.GetProperty("contextWindow").GetInt32() >= 500000);
            Assert.Contains("reasoning", model.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal(JsonValueKind.Number, model.GetProperty("pricing").GetProperty("inputPerMTok").ValueKind);
            Assert.True(model.GetProperty("pricing").TryGetProperty("cacheWritePerMTok", out _));
        }
    }

    [Fact]
    public async Task Models_UnknownPrice_IsNullNeverZero()
    {
        string file = Path.Combine(Path.GetTempPath(), $"llmkit-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{ "LlmKit": { "Catalog": { "house-model": { "Provider": "local", "ContextWindow": 8192 } } } }""");
        try
        {
            var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "models", "--json", "--provider", "local", "--config", file);

            Assert.Equal(0, exit);
            var model = Assert.Single(JsonDocument.Parse(stdout).RootElement.EnumerateArray());
            Assert.Equal("house-model", model.GetProperty("id").GetString());
            Assert.Equal(JsonValueKind.Null, model.GetProperty("pricing").GetProperty("inputPerMTok").ValueKind);
            Assert.Equal(JsonValueKind.Null, model.GetProperty("maxOutputTokens").ValueKind);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Models_UnknownCapability_ExitsWithTwo()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync(null, null, "models", "--capability", "telepathy");

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("telepathy", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_Prices_ImportsTheFileFirstOverridingAndAdding()
    {
        string file = Path.Combine(Path.GetTempPath(), $"llmkit-prices-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """
            {
              "gpt-4o": { "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06 },
              "house-model": { "litellm_provider": "house", "mode": "chat", "max_input_tokens": 8192, "input_cost_per_token": 1e-07 }
            }
            """);
        try
        {
            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, null, "models", "--json", "--prices", file);

            Assert.Equal(0, exit);
            var models = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToDictionary(m => m.GetProperty("id").GetString()!);
            Assert.Equal(2m, models["gpt-4o"].GetProperty("pricing").GetProperty("inputPerMTok").GetDecimal());
            Assert.Equal(0.1m, models["house-model"].GetProperty("pricing").GetProperty("inputPerMTok").GetDecimal());
            Assert.Equal(JsonValueKind.Null, models["house-model"].GetProperty("pricing").GetProperty("outputPerMTok").ValueKind);
            Assert.True(models.Count > 300);
            Assert.Contains("2 models imported", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Models_PricesFromStandardInput_IsImported()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(
            """{ "house-model": { "litellm_provider": "house", "mode": "chat", "input_cost_per_token": 1e-07 } }""",
            null,
            "models",
            "--json",
            "--provider",
            "house",
            "--prices",
            "-");

        Assert.Equal(0, exit);
        Assert.Equal("house-model", Assert.Single(JsonDocument.Parse(stdout).RootElement.EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Models_BadPriceFile_ExitsWithTwoNamingFileEntryAndField()
    {
        string file = Path.Combine(Path.GetTempPath(), $"llmkit-prices-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{ "m": { "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": "free" } }""");
        try
        {
            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, null, "models", "--json", "--prices", file);

            Assert.Equal(2, exit);
            Assert.Equal(string.Empty, stdout);
            Assert.Contains(file, stderr, StringComparison.Ordinal);
            Assert.Contains("entry 'm'", stderr, StringComparison.Ordinal);
            Assert.Contains("input_cost_per_token", stderr, StringComparison.Ordinal);
            Assert.Single(stderr.Trim().Split('\n'));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
