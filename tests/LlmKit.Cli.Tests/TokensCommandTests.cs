using System.Text.Json;

namespace LlmKit.Cli.Tests;

/// <summary>Expected counts come from OpenAI's tiktoken: "hello world" is [15339, 1917] in cl100k_base and [24912, 2375] in o200k_base.</summary>
public class TokensCommandTests
{
    private static async Task<string> FileWith(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"llmkit-tokens-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    [Theory]
    [InlineData("--encoding", "cl100k_base", "cl100k_base")]
    [InlineData("--model", "gpt-4o", "o200k_base")]
    [InlineData("--model", "gpt-3.5-turbo", "cl100k_base")]
    public async Task Tokens_WholeFile_CountsWithTheChosenEncoding(string option, string value, string encoding)
    {
        string path = await FileWith("hello world");

        var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "tokens", "--json", option, value, path);

        Assert.Equal(0, exit);
        Assert.Equal($$"""{"encoding":"{{encoding}}","tokens":2}""", JsonSerializer.Serialize(JsonDocument.Parse(stdout).RootElement));
    }

    [Fact]
    public async Task Tokens_PerLine_CountsEachLineWithoutItsLineFeed()
    {
        string path = await FileWith("hello world\nhello world\n\nhello world");

        var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "tokens", "--json", "--per-line", path);

        Assert.Equal(0, exit);
        Assert.Equal("""{"encoding":"o200k_base","counts":[2,2,0,2]}""", JsonSerializer.Serialize(JsonDocument.Parse(stdout).RootElement));
    }

    [Fact]
    public async Task Tokens_StandardInput_IsRead()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync("hello world", null, "tokens", "--json", "-");

        Assert.Equal(0, exit);
        Assert.Equal(2, JsonDocument.Parse(stdout).RootElement.GetProperty("tokens").GetInt32());
    }

    [Fact]
    public async Task Tokens_UnknownModelOrMissingFile_ExitWithTwo()
    {
        var unknown = await CliRunner.RunAsync(null, null, "tokens", "--model", "claude-sonnet-4-5", "-");
        var missing = await CliRunner.RunAsync(null, null, "tokens", "/nonexistent/file.txt");

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("claude-sonnet-4-5", unknown.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
    }
}
