using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Cli.Tests;

public class ConversationsCommandTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A database with two conversations: "trip" (updated last) and "code".</summary>
    private static async Task<string> SeedAsync()
    {
        string path = Path.Combine(Path.GetTempPath(), $"llmkit-cli-{Guid.NewGuid():N}.db");
        var time = new FakeTimeProvider(Start);
        var store = new SqliteConversationStore("Data Source=" + path, time);
        await store.CreateAsync(new Conversation
        {
            Id = "code",
            Title = "Fix the build",
            TenantId = "acme",
            Tags = ["dev"],
            Messages = [new ConversationMessage { Message = new ChatMessage(ChatRole.User, "why does the linker fail?") { MessageId = "m1" } }],
        });
        time.Advance(TimeSpan.FromHours(1));
        await store.CreateAsync(new Conversation
        {
            Id = "trip",
            Title = "Lisbon trip",
            TenantId = "acme",
            Tags = ["travel", "personal"],
            Messages =
            [
                new ConversationMessage { Message = new ChatMessage(ChatRole.User, "a hotel near the river please") { MessageId = "m1" } },
                new ConversationMessage
                {
                    Message = new ChatMessage(ChatRole.Assistant, [new TextContent("Try the Riverside Inn."), new FunctionCallContent("c1", "book", new Dictionary<string, object?> { ["hotel"] = "Riverside" })]) { MessageId = "m2" },
                    Usage = new UsageDetails { InputTokenCount = 30, OutputTokenCount = 12 },
                    Cost = new CallCost { Total = 0.0004m },
                    Model = "gpt-4o",
                },
            ],
        });
        return path;
    }

    [Fact]
    public async Task List_Json_NewestUpdateFirstWithTotals()
    {
        string db = await SeedAsync();

        var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "conversations", "list", "--db", db, "--json");

        Assert.Equal(0, exit);
        var rows = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["trip", "code"], rows.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var trip = rows[0];
        Assert.Equal(2, trip.GetProperty("messageCount").GetInt64());
        Assert.Equal(30, trip.GetProperty("inputTokens").GetInt64());
        Assert.Equal(0.0004m, trip.GetProperty("costUsd").GetDecimal());
        Assert.Equal("gpt-4o", trip.GetProperty("model").GetString());
        Assert.Equal(Start.AddHours(1), trip.GetProperty("updatedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task List_TagFilterAndText_PrintsOneLinePerConversation()
    {
        string db = await SeedAsync();

        var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "conversations", "list", "--db", db, "--tag", "dev");

        Assert.Equal(0, exit);
        string line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("code  2026-05-01 08:00  1 messages", line, StringComparison.Ordinal);
        Assert.EndsWith("Fix the build", line.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_Json_HoldsEveryMessageWithItsContents()
    {
        string db = await SeedAsync();

        var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "conversations", "show", "trip", "--db", db, "--json");

        Assert.Equal(0, exit);
        var conversation = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("Lisbon trip", conversation.GetProperty("title").GetString());
        var messages = conversation.GetProperty("messages");
        Assert.Equal(2, messages.GetArrayLength());
        var contents = messages[1].GetProperty("message").GetProperty("contents");
        Assert.Equal("functionCall", contents[1].GetProperty("$type").GetString());
        Assert.Equal("book", contents[1].GetProperty("name").GetString());
        Assert.Equal(12, messages[1].GetProperty("usage").GetProperty("outputTokenCount").GetInt64());
    }

    [Fact]
    public async Task Show_Text_PrintsTheMessages()
    {
        string db = await SeedAsync();

        var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "conversations", "show", "trip", "--db", db);

        Assert.Equal(0, exit);
        Assert.Contains("[1] user: a hotel near the river please", stdout, StringComparison.Ordinal);
        Assert.Contains("[2] assistant (gpt-4o, 30+12 tokens): Try the Riverside Inn.", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_Json_FindsMessageTextAndTitles()
    {
        string db = await SeedAsync();

        var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "conversations", "search", "river hotel", "--db", db, "--json");
        var title = await CliRunner.RunAsync(null, null, "conversations", "search", "lisbon", "--db", db, "--json");

        Assert.Equal(0, exit);
        var hit = Assert.Single(JsonDocument.Parse(stdout).RootElement.EnumerateArray());
        Assert.Equal("trip", hit.GetProperty("conversationId").GetString());
        Assert.Equal("m1", hit.GetProperty("messageId").GetString());
        Assert.Contains("river", hit.GetProperty("snippet").GetString(), StringComparison.Ordinal);
        var titleHit = Assert.Single(JsonDocument.Parse(title.StdOut).RootElement.EnumerateArray());
        Assert.Equal(JsonValueKind.Null, titleHit.GetProperty("messageId").ValueKind);
    }

    [Fact]
    public async Task Export_ThenImport_GivesTheSameConversation()
    {
        string db = await SeedAsync();
        string file = Path.Combine(Path.GetTempPath(), $"llmkit-export-{Guid.NewGuid():N}.json");

        var (exit, stdout, _) = await CliRunner.RunAsync(null, null, "conversations", "export", "trip", "--db", db);
        var toFile = await CliRunner.RunAsync(null, null, "conversations", "export", "trip", "--db", db, "--output", file);

        Assert.Equal(0, exit);
        Assert.Equal(0, toFile.ExitCode);
        var exported = Assert.Single(ConversationJson.Deserialize(stdout));
        Assert.Equal(["m1", "m2"], exported.Messages.Select(m => m.Message.MessageId));
        Assert.Equal(0.0004m, exported.Messages[1].Cost!.Total);
        var target = new SqliteConversationStore("Data Source=" + Path.ChangeExtension(file, ".db"));
        await using (var stream = File.OpenRead(file))
        {
            await target.ImportAsync(stream);
        }

        var imported = (await target.GetAsync("trip"))!;
        Assert.Equal(Start.AddHours(1), imported.UpdatedAt);
        Assert.Equal("book", Assert.IsType<FunctionCallContent>(imported.Messages[1].Message.Contents[1]).Name);
    }

    [Fact]
    public async Task Conversations_BadInput_ExitWithTwo()
    {
        string db = await SeedAsync();

        var missingDb = await CliRunner.RunAsync(null, null, "conversations", "list", "--db", "/nonexistent/x.db");
        var noDb = await CliRunner.RunAsync(null, null, "conversations", "list");
        var unknownId = await CliRunner.RunAsync(null, null, "conversations", "show", "nope", "--db", db);
        var noWords = await CliRunner.RunAsync(null, null, "conversations", "search", "?!", "--db", db);
        var badLimit = await CliRunner.RunAsync(null, null, "conversations", "list", "--db", db, "--limit", "0");

        Assert.Equal(2, missingDb.ExitCode);
        Assert.Contains("/nonexistent/x.db", missingDb.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, noDb.ExitCode);
        Assert.Equal(2, unknownId.ExitCode);
        Assert.Contains("'nope'", unknownId.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, noWords.ExitCode);
        Assert.Equal(2, badLimit.ExitCode);
    }

    [Fact]
    public async Task List_FileThatIsNotADatabase_ExitsWithTwoAndSaysSo()
    {
        // CLI.md: exit code 2 for bad arguments or bad input; a --db file that is not a database is bad input.
        string path = Path.Combine(Path.GetTempPath(), $"llmkit-cli-{Guid.NewGuid():N}.db");
        await File.WriteAllTextAsync(path, new string('x', 4096));

        var list = await CliRunner.RunAsync(null, null, "conversations", "list", "--db", path);
        var show = await CliRunner.RunAsync(null, null, "conversations", "show", "c1", "--db", path, "--json");

        Assert.Equal(2, list.ExitCode);
        Assert.Contains("not a SQLite database", list.StdErr, StringComparison.Ordinal);
        Assert.Contains(path, list.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', list.StdErr.Trim());
        Assert.Equal(2, show.ExitCode);
        Assert.Equal(string.Empty, show.StdOut);
        Assert.Equal(new string('x', 4096), await File.ReadAllTextAsync(path)); // nothing written into the file
    }
}
