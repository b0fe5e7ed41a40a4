using LlmKit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace QuickStart.Tests;

public sealed class QuickStartAppTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"llmkit-quickstart-{Guid.NewGuid():N}");

    public QuickStartAppTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task RunAsync_TwiceOnOneDatabase_SecondRunLoadsTheFirstRunsMessagesAndAddsATurn()
    {
        string db = Path.Combine(_directory, "quickstart.db");

        // No provider key, whatever the machine has set: the offline model, so no request leaves the machine.
        static string? NoKeys(string name) => null;
        using var firstOutput = new StringWriter();
        using var secondOutput = new StringWriter();

        var first = await QuickStartApp.RunAsync(db, NoKeys, firstOutput);
        var second = await QuickStartApp.RunAsync(db, NoKeys, secondOutput);

        Assert.StartsWith("Running on the offline model", firstOutput.ToString(), StringComparison.Ordinal);
        Assert.Equal((0L, 2L), first);
        Assert.Contains($"Conversation 'quickstart' is new; it is kept in {db}.", firstOutput.ToString(), StringComparison.Ordinal);
        Assert.Equal((2L, 4L), second);
        Assert.Contains($"Loaded 2 earlier messages of conversation 'quickstart' from {db}.", secondOutput.ToString(), StringComparison.Ordinal);
        Assert.Contains("the conversation now has 4 messages", secondOutput.ToString(), StringComparison.Ordinal);

        // Read the file on its own: both runs' turns are in it, and the second prompt carried the first turn.
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.UseSqliteStores($"Data Source={db}"));
        await using var provider = services.BuildServiceProvider();
        var stored = await provider.GetRequiredService<IConversationStore>().GetAsync("quickstart");
        Assert.Equal("QuickStart", stored!.Title);
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.User, ChatRole.Assistant], stored.Messages.Select(m => m.Message.Role));
        Assert.Equal("This is message 1 of our QuickStart conversation.", stored.Messages[0].Message.Text);
        Assert.Equal("This is message 2 of our QuickStart conversation.", stored.Messages[2].Message.Text);
        Assert.All(stored.Messages, m => Assert.Equal(ConversationMessageStatus.Completed, m.Status));
        Assert.True(
            stored.Messages[3].Usage!.InputTokenCount > stored.Messages[1].Usage!.InputTokenCount + 10,
            $"second prompt {stored.Messages[3].Usage!.InputTokenCount} tokens, first {stored.Messages[1].Usage!.InputTokenCount}: the earlier turn was not sent");
    }
}
