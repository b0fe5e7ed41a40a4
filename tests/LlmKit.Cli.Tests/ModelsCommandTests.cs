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
}
