using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Cli.Commands;

/// <summary><c>llmkit conversations list|show|search|export</c>: looks into a SQLite conversation store.</summary>
internal static class ConversationsCommand
{
    public static Command Create(Option<bool> json)
    {
        var db = new Option<FileInfo>("--db") { Description = "The SQLite database file (as written by UseSqliteStores or 'llmkit chat --db').", Required = true, Recursive = true };
        var command = new Command("conversations", "Looks into a SQLite conversation store: list, show, search, export.") { db };
        command.Subcommands.Add(List(json, db));
        command.Subcommands.Add(Show(json, db));
        command.Subcommands.Add(Search(json, db));
        command.Subcommands.Add(Export(db));
        return command;
    }

    private static Command List(Option<bool> json, Option<FileInfo> db)
    {
        var tenant = new Option<string?>("--tenant") { Description = "Only conversations of this tenant." };
        var user = new Option<string?>("--user") { Description = "Only conversations of this user." };
        var tags = new Option<string[]>("--tag") { Description = "Only conversations with this tag (repeatable; all must match).", AllowMultipleArgumentsPerToken = true };
        var limit = new Option<int>("--limit") { Description = "How many conversations, most recently updated first (1 to 1000).", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "Lists conversations, most recently updated first.") { tenant, user, tags, limit };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int count = parse.GetValue(limit);
            if (count is < 1 or > 1000)
            {
                throw new CliInputException("--limit must be 1 to 1000.");
            }

            var store = OpenStore(parse.GetValue(db)!, out var services);
            await using (services.ConfigureAwait(false))
            {
                var page = await store.ListAsync(new ConversationQuery { TenantId = parse.GetValue(tenant), UserId = parse.GetValue(user), Tags = parse.GetValue(tags) ?? [], PageSize = count }, cancellationToken).ConfigureAwait(false);
                var rows = page.Items.Select(ConversationRow.From).ToList();
                if (parse.GetValue(json))
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(rows, CliJsonContext.Output.ListConversationRow));
                }
                else if (rows.Count == 0)
                {
                    Console.Out.WriteLine("No conversations.");
                }
                else
                {
                    foreach (var r in rows)
                    {
                        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Id}  {r.UpdatedAt:yyyy-MM-dd HH:mm}  {r.MessageCount} messages  {r.InputTokens + r.OutputTokens} tokens  ${r.CostUsd:0.######}  {r.Title}"));
                    }
                }
            }

            return CliExitCodes.Success;
        });
        return command;
    }

    private static Command Show(Option<bool> json, Option<FileInfo> db)
    {
        var id = new Argument<string>("ID") { Description = "The conversation id." };
        var command = new Command("show", "Shows one conversation with its messages.") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var store = OpenStore(parse.GetValue(db)!, out var services);
            await using (services.ConfigureAwait(false))
            {
                string conversationId = parse.GetValue(id)!;
                var conversation = await store.GetAsync(conversationId, includeMessages: true, cancellationToken).ConfigureAwait(false)
                    ?? throw new CliInputException($"ID: conversation '{conversationId}' does not exist in this database. See 'llmkit conversations list'.");
                if (parse.GetValue(json))
                {
                    // The conversation object of the export format: every message with its contents, usage and cost.
                    var document = JsonNode.Parse(ConversationJson.Serialize([conversation]))!;
                    Console.Out.WriteLine(document["conversations"]![0]!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                }
                else
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{conversation.Id}: {conversation.Title ?? "(no title)"}"));
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  tenant {conversation.TenantId ?? "-"}, user {conversation.UserId ?? "-"}, tags [{string.Join(", ", conversation.Tags)}], version {conversation.Version}"));
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {conversation.MessageCount} messages, {conversation.InputTokens} input and {conversation.OutputTokens} output tokens, ${conversation.CostUsd:0.######}, updated {conversation.UpdatedAt:u}"));
                    foreach (var m in conversation.Messages)
                    {
                        var line = new StringBuilder();
                        line.Append(CultureInfo.InvariantCulture, $"[{m.Sequence}] {m.Message.Role}");
                        if (m.Status == ConversationMessageStatus.Failed)
                        {
                            line.Append(" (failed)");
                        }

                        if (m.Model is not null)
                        {
                            line.Append(CultureInfo.InvariantCulture, $" ({m.Model}, {m.Usage?.InputTokenCount ?? 0}+{m.Usage?.OutputTokenCount ?? 0} tokens)");
                        }

                        line.Append(": ").Append(m.Message.Text);
                        Console.Out.WriteLine(line.ToString());
                    }
                }
            }

            return CliExitCodes.Success;
        });
        return command;
    }

    private static Command Search(Option<bool> json, Option<FileInfo> db)
    {
        var query = new Argument<string>("QUERY") { Description = "The words to find in titles and message text (all must occur)." };
        var limit = new Option<int>("--limit") { Description = "How many hits, most relevant first (1 to 1000).", DefaultValueFactory = _ => 20 };
        var command = new Command("search", "Full-text search over titles and message text.") { query, limit };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int count = parse.GetValue(limit);
            if (count is < 1 or > 1000)
            {
                throw new CliInputException("--limit must be 1 to 1000.");
            }

            var store = OpenStore(parse.GetValue(db)!, out var services);
            await using (services.ConfigureAwait(false))
            {
                IReadOnlyList<ConversationSearchHit> hits;
                try
                {
                    hits = await store.SearchAsync(parse.GetValue(query)!, new ConversationQuery { PageSize = count }, cancellationToken).ConfigureAwait(false);
                }
                catch (ArgumentException ex)
                {
                    throw new CliInputException("QUERY: " + ex.Message.Split(" (Parameter", 2)[0]);
                }

                var rows = hits.Select(h => new SearchHitRow(h.ConversationId, h.Title, h.MessageId, h.Snippet, h.Rank)).ToList();
                if (parse.GetValue(json))
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(rows, CliJsonContext.Output.ListSearchHitRow));
                }
                else if (rows.Count == 0)
                {
                    Console.Out.WriteLine("No matches.");
                }
                else
                {
                    foreach (var h in rows)
                    {
                        Console.Out.WriteLine($"{h.ConversationId}  {h.Title}  {h.Snippet}");
                    }
                }
            }

            return CliExitCodes.Success;
        });
        return command;
    }

    private static Command Export(Option<FileInfo> db)
    {
        var id = new Argument<string>("ID") { Description = "The conversation id." };
        var output = new Option<FileInfo?>("--output") { Description = "Write the export file here instead of standard output." };
        var command = new Command("export", "Writes one conversation as an LlmKit conversation export (JSON, every message content kept).") { id, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var store = OpenStore(parse.GetValue(db)!, out var services);
            await using (services.ConfigureAwait(false))
            {
                string conversationId = parse.GetValue(id)!;
                var conversation = await store.GetAsync(conversationId, includeMessages: true, cancellationToken).ConfigureAwait(false)
                    ?? throw new CliInputException($"ID: conversation '{conversationId}' does not exist in this database. See 'llmkit conversations list'.");
                if (parse.GetValue(output) is { } file)
                {
                    var stream = file.Create();
                    await using (stream.ConfigureAwait(false))
                    {
                        await ConversationJson.SerializeAsync(stream, [conversation], cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    Console.Out.WriteLine(ConversationJson.Serialize([conversation]));
                }
            }

            return CliExitCodes.Success;
        });
        return command;
    }

    private static IConversationStore OpenStore(FileInfo db, out ServiceProvider services)
    {
        if (!db.Exists)
        {
            throw new CliInputException($"--db: '{db.FullName}' does not exist.");
        }

        var collection = new ServiceCollection();
        collection.AddLlmKit(kit => kit.UseSqliteStores(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = db.FullName }.ToString()));
        services = collection.BuildServiceProvider();
        return services.GetRequiredService<IConversationStore>();
    }
}
