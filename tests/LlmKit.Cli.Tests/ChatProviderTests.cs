using System.Text.Json;
using LlmKit.Tests.Shared;

namespace LlmKit.Cli.Tests;

public sealed class CliAimockFixture : IAsyncLifetime
{
    public AimockServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AimockServer.StartAsync(new Dictionary<string, string>
    {
        ["cli.json"] = """{ "fixtures": [ { "match": { "userMessage": "cli hello" }, "response": { "content": "Hello from the mock." } } ] }""",
        ["structured.json"] = """
            { "fixtures": [
              { "match": { "userMessage": "Your answer does not match", "model": "stubborn" }, "response": { "content": "{\"city\": \"X\"}" } },
              { "match": { "userMessage": "Your answer does not match" }, "response": { "content": "{\"city\": \"Oslo\"}" } },
              { "match": { "userMessage": "cli city fenced" }, "response": { "content": "The city is:\n```json\n{\"city\": \"Oslo\"}\n```" } },
              { "match": { "userMessage": "cli city bad" }, "response": { "content": "{\"city\": \"X\"}" } }
            ] }
            """,
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public class ChatProviderTests(CliAimockFixture fixture) : IClassFixture<CliAimockFixture>
{
    [Theory]
    [InlineData("openai", "v1/")]
    [InlineData("vllm", "v1/")]
    [InlineData("ollama", "")]
    [InlineData("gemini", "")]
    [InlineData("anthropic", "")]
    public async Task Chat_ProviderWithBaseUrlAndKey_TalksToThatServer(string provider, string suffix)
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync(null, null, "chat", "--json", "--provider", provider, "--base-url", new Uri(fixture.Server.BaseUri, suffix).ToString(), "--api-key", "mock-key-12345678", "--model", "gpt-4o-mini", "cli hello");

        Assert.True(exit == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("Hello from the mock.", root.GetProperty("text").GetString());
        Assert.Equal(provider, root.GetProperty("provider").GetString());
        Assert.DoesNotContain("mock-key-12345678", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_StreamWithProvider_PrintsTheWholeText()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "chat", "--stream", "--provider", "openai", "--base-url", new Uri(fixture.Server.BaseUri, "v1/").ToString(), "--api-key", "k-12345678", "cli hello");

        Assert.Equal(0, exit);
        Assert.Equal("Hello from the mock.", stdout.Trim());
    }

    [Fact]
    public async Task Chat_UnknownProviderWithoutBaseUrl_ExitsWithTwo()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(null, null, "chat", "--provider", "skynet", "hi");

        Assert.Equal(2, exit);
        Assert.Contains("'skynet'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_UnreachableServer_ExitsWithOneAndSaysWhy()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync(null, null, "chat", "--provider", "vllm", "--base-url", "http://127.0.0.1:1/v1/", "--model", "m", "hi");

        Assert.Equal(1, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("127.0.0.1:1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_ConfigWithFallbackChain_FallsBackFromAnUnreachableDeployment()
    {
        string file = Path.Combine(Path.GetTempPath(), $"llmkit-fallback-{Guid.NewGuid():N}.json");
        string mock = new Uri(fixture.Server.BaseUri, "v1/").ToString();
        await File.WriteAllTextAsync(file, $$"""
            {
              "LlmKit": {
                "DefaultModel": "smart",
                "Providers": {
                  "dead": { "Type": "OpenAI", "BaseUrl": "http://127.0.0.1:1/v1/", "ApiKey": "k-dead-1234" },
                  "mock": { "Type": "OpenAI", "BaseUrl": "{{mock}}", "ApiKey": "k-mock-1234" }
                },
                "Models": {
                  "smart": {
                    "Strategy": "LeastBusy",
                    "Deployments": [ { "Provider": "dead", "Model": "gpt-4o", "Resilience": { "MaxRetries": 0 } } ],
                    "Fallbacks": [ "backup" ]
                  },
                  "backup": { "Deployments": [ { "Provider": "mock", "Model": "gpt-4o-mini" } ] }
                }
              }
            }
            """);
        try
        {
            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, null, "chat", "--config", file, "--json", "cli hello");

            Assert.True(exit == 0, stderr);
            var root = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal("Hello from the mock.", root.GetProperty("text").GetString());
            Assert.Equal("mock", root.GetProperty("provider").GetString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<(int Exit, string Stdout, string Stderr)> ChatWithSchemaAsync(string model, params string[] extra)
    {
        string schema = Path.Combine(Path.GetTempPath(), $"llmkit-cli-schema-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(schema, """{"type":"object","properties":{"city":{"type":"string","minLength":2}},"required":["city"],"additionalProperties":false}""");
        try
        {
            return await CliRunner.RunAsync(null, null, ["chat", "--provider", "openai", "--base-url", new Uri(fixture.Server.BaseUri, "v1/").ToString(), "--api-key", "k-12345678", "--model", model, "--schema", schema, .. extra]);
        }
        finally
        {
            File.Delete(schema);
        }
    }

    [Fact]
    public async Task Chat_Schema_PrintsTheValidatedJsonAndJsonAddsStructuredFields()
    {
        var (exit, stdout, _) = await ChatWithSchemaAsync("gpt-4o-mini", "--json", "cli city fenced");
        Assert.Equal(0, exit);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.Equal("Oslo", doc.RootElement.GetProperty("structured").GetProperty("city").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("repairRounds").GetInt32());
        Assert.Equal("native", doc.RootElement.GetProperty("structuredPath").GetString());

        var (plainExit, plain, _) = await ChatWithSchemaAsync("gpt-4o-mini", "cli city fenced");
        Assert.Equal(0, plainExit);
        Assert.Equal("""{"city": "Oslo"}""", plain.Trim());
    }

    [Fact]
    public async Task Chat_SchemaInvalidThenRepaired_ReportsOneRepairRound()
    {
        var (exit, stdout, _) = await ChatWithSchemaAsync("gpt-4o-mini", "--json", "--repair", "1", "cli city bad");
        Assert.Equal(0, exit);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.Equal(1, doc.RootElement.GetProperty("repairRounds").GetInt32());
        Assert.Equal("Oslo", doc.RootElement.GetProperty("structured").GetProperty("city").GetString());
    }

    [Fact]
    public async Task Chat_SchemaStillInvalid_Exits1ListingTheErrors()
    {
        var (exit, _, stderr) = await ChatWithSchemaAsync("stubborn", "--repair", "1", "cli city bad");
        Assert.Equal(1, exit);
        Assert.Contains("$.city:", stderr, StringComparison.Ordinal);
        Assert.Contains("after 1 repair round", stderr, StringComparison.Ordinal);
    }
}
