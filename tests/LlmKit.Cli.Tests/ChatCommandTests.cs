using System.Text.Json;

namespace LlmKit.Cli.Tests;

public class ChatCommandTests
{
    [Fact]
    public async Task Chat_JsonWithNoProvider_PrintsOneJsonDocumentOfTheContractFromTheOfflineModel()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync(null, null, "chat", "--json", "hello");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Contains("hello", root.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("llmkit-offline", root.GetProperty("model").GetString());
        Assert.Equal("offline", root.GetProperty("provider").GetString());
        Assert.Equal("stop", root.GetProperty("finishReason").GetString());
        Assert.True(root.GetProperty("usage").GetProperty("inputTokens").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("usage").GetProperty("cachedInputTokens").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("cost").GetProperty("total").ValueKind);
        Assert.False(root.GetProperty("cost").GetProperty("known").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("conversationId").ValueKind);
        Assert.Contains("offline model", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_StreamWithoutJson_PrintsTheSameTextAsNonStreaming()
    {
        var streamed = await CliRunner.RunAsync(null, null, "chat", "--stream", "compare me");
        var whole = await CliRunner.RunAsync(null, null, "chat", "compare me");

        Assert.Equal(0, streamed.ExitCode);
        Assert.Equal(whole.StdOut, streamed.StdOut);
        Assert.Contains("compare me", whole.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_MessageFromStandardInput_IsSent()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync("piped question", null, "chat", "--json", "-");

        Assert.Equal(0, exit);
        Assert.Contains("piped question", JsonDocument.Parse(stdout).RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_UnknownOption_ExitsWithTwoAndOneLineReason()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync(null, null, "chat", "--frobnicate", "x", "y");

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Chat_InvalidConfigFile_ExitsWithTwoNamingTheBadKey()
    {
        string file = Path.Combine(Path.GetTempPath(), $"llmkit-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{ "LlmKit": { "Models": { "smart": { "Deployments": [ { "Provider": "ghost", "Model": "m" } ] } } } }""");
        try
        {
            var (exit, stdout, stderr) = await CliRunner.RunAsync(null, null, "chat", "--config", file, "--json", "hi");

            Assert.Equal(2, exit);
            Assert.Equal(string.Empty, stdout);
            Assert.Contains("LlmKit:Models:smart:Deployments:0:Provider", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Chat_InvalidConfigFileWithoutTheLlmKitSection_NamesTheKeyUnderLlmKit()
    {
        string file = Path.Combine(Path.GetTempPath(), $"llmkit-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{ "Models": { "smart": { "Deployments": [ { "Provider": "ghost", "Model": "m" } ] } } }""");
        try
        {
            var (exit, _, stderr) = await CliRunner.RunAsync(null, null, "chat", "--config", file, "--json", "hi");

            Assert.Equal(2, exit);
            Assert.Contains("LlmKit:Models:smart:Deployments:0:Provider", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Chat_MissingConfigFile_ExitsWithTwo()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(null, null, "chat", "--config", "/nonexistent/llmkit.json", "hi");

        Assert.Equal(2, exit);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_EnvironmentVariable_IsReadAsLlmKitConfiguration()
    {
        var env = new Dictionary<string, string> { ["LLMKIT__Telemetry__RecordMessageContent"] = "perhaps" };

        var (exit, _, stderr) = await CliRunner.RunAsync(null, env, "chat", "--json", "hi");

        Assert.Equal(2, exit);
        Assert.Contains("RecordMessageContent", stderr, StringComparison.Ordinal);
    }
}
