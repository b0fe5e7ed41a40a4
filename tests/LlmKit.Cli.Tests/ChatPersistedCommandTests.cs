using System.Text.Json;

namespace LlmKit.Cli.Tests;

/// <summary><c>llmkit chat --db FILE --conversation ID</c>: turns appended to a conversation kept in a SQLite file.</summary>
public class ChatPersistedCommandTests
{
    [Fact]
    public async Task Chat_TwoRunsOnOneDatabase_StoreBothTurnsAndTheSecondSeesTheFirst()
    {
        string db = Path.Combine(Path.GetTempPath(), $"llmkit-chat-{Guid.NewGuid():N}.db");

        var first = await CliRunner.RunAsync(null, null, "chat", "--json", "--db", db, "--conversation", "trip", "--system", "Answer in one line.", "first question about Lisbon");
        var second = await CliRunner.RunAsync(null, null, "chat", "--json", "--db", db, "--conversation", "trip", "--system", "Answer in one line.", "later question about Porto");
        var show = await CliRunner.RunAsync(null, null, "conversations", "show", "trip", "--db", db, "--json");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(0, show.ExitCode);
        Assert.Equal("trip", JsonDocument.Parse(first.StdOut).RootElement.GetProperty("conversationId").GetString());
        Assert.Equal("trip", JsonDocument.Parse(second.StdOut).RootElement.GetProperty("conversationId").GetString());
        var messages = JsonDocument.Parse(show.StdOut).RootElement.GetProperty("messages");
        Assert.Equal(4, messages.GetArrayLength());
        Assert.Equal(["user", "assistant", "user", "assistant"], messages.EnumerateArray().Select(m => m.GetProperty("message").GetProperty("role").GetString()));
        Assert.Equal("first question about Lisbon", Text(messages[0]));
        Assert.Equal("later question about Porto", Text(messages[2]));
        Assert.Contains("Lisbon", Text(messages[1]), StringComparison.Ordinal);
        Assert.Contains("Porto", Text(messages[3]), StringComparison.Ordinal);

        // Both user messages have the same length, so the second prompt is longer only by the history it carries.
        long firstInput = messages[1].GetProperty("usage").GetProperty("inputTokenCount").GetInt64();
        long secondInput = messages[3].GetProperty("usage").GetProperty("inputTokenCount").GetInt64();
        Assert.True(secondInput > firstInput, $"second prompt {secondInput} tokens, first {firstInput}: the history was not sent");
    }

    [Fact]
    public async Task Chat_StreamWithDatabase_StoresTheStreamedAnswer()
    {
        string db = Path.Combine(Path.GetTempPath(), $"llmkit-chat-{Guid.NewGuid():N}.db");

        var run = await CliRunner.RunAsync(null, null, "chat", "--stream", "--db", db, "--conversation", "s1", "stream this please");
        var show = await CliRunner.RunAsync(null, null, "conversations", "show", "s1", "--db", db, "--json");

        Assert.Equal(0, run.ExitCode);
        var messages = JsonDocument.Parse(show.StdOut).RootElement.GetProperty("messages");
        Assert.Equal(2, messages.GetArrayLength());
        Assert.Equal(run.StdOut.Trim(), Text(messages[1]).Trim());
    }

    [Fact]
    public async Task Chat_DatabaseFileThatIsNotADatabase_ExitsWithTwoAndLeavesTheFile()
    {
        string db = Path.Combine(Path.GetTempPath(), $"llmkit-chat-{Guid.NewGuid():N}.db");
        await File.WriteAllTextAsync(db, new string('x', 4096));

        var run = await CliRunner.RunAsync(null, null, "chat", "--json", "--db", db, "--conversation", "c1", "hello");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("not a SQLite database", run.StdErr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.StdOut);
        Assert.Equal(new string('x', 4096), await File.ReadAllTextAsync(db));
    }

    [Fact]
    public async Task Chat_DatabaseWithoutConversationOrMissingDirectory_ExitsWithTwo()
    {
        string db = Path.Combine(Path.GetTempPath(), $"llmkit-chat-{Guid.NewGuid():N}.db");
        string inMissingDirectory = Path.Combine(Path.GetTempPath(), $"llmkit-none-{Guid.NewGuid():N}", "x.db");

        var noId = await CliRunner.RunAsync(null, null, "chat", "--db", db, "hello");
        var noDb = await CliRunner.RunAsync(null, null, "chat", "--conversation", "c1", "hello");
        var badDir = await CliRunner.RunAsync(null, null, "chat", "--db", inMissingDirectory, "--conversation", "c1", "hello");

        Assert.Equal(2, noId.ExitCode);
        Assert.Contains("--conversation", noId.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, noDb.ExitCode);
        Assert.Equal(2, badDir.ExitCode);
        Assert.Contains("does not exist", badDir.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(db));
    }

    private static string Text(JsonElement message)
        => string.Concat(message.GetProperty("message").GetProperty("contents").EnumerateArray()
            .Where(c => c.GetProperty("$type").GetString() == "text")
            .Select(c => c.GetProperty("text").GetString()));
}
