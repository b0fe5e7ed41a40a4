using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Cli.Commands;

/// <summary>
/// <c>llmkit knowledge ingest|search|ask</c>: a knowledge base in a SQLite file. Ingestion and search run offline on
/// the keyword index (this tool configures no embedding provider); <c>ask</c> calls the configured chat provider.
/// </summary>
internal static class KnowledgeCommand
{
    public static Command Create(Option<bool> json, Option<FileInfo?> config)
    {
        var db = new Option<FileInfo>("--db") { Description = "The SQLite knowledge database file (created by 'knowledge ingest').", Required = true, Recursive = true };
        var command = new Command("knowledge", "A knowledge base in a SQLite file: ingest documents, search them, ask questions answered with citations.") { db };
        command.Subcommands.Add(Ingest(json, db));
        command.Subcommands.Add(Search(json, db));
        command.Subcommands.Add(Ask(json, config, db));
        return command;
    }

    private static KnowledgeBase Open(FileInfo db, IChatClient? chat = null, int chunkTokens = 512)
    {
        if (db.Directory is { Exists: false } directory)
        {
            throw new CliInputException($"--db: the directory '{directory.FullName}' does not exist.");
        }

        var connection = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = db.FullName }.ToString();
        return new KnowledgeBase(new SqliteVectorStore(connection), new KnowledgeBaseOptions { ChunkTokens = chunkTokens, OverlapTokens = Math.Min(64, chunkTokens / 8) }, chatClient: chat);
    }

    private static Command Ingest(Option<bool> json, Option<FileInfo> db)
    {
        var path = new Argument<string>("PATH") { Description = "A file (.txt, .md, .pdf) or a folder, read recursively." };
        var chunkTokens = new Option<int>("--chunk-tokens") { Description = "The most tokens per chunk (16 to 8192).", DefaultValueFactory = _ => 512 };
        var command = new Command("ingest", "Ingests a file or folder into the knowledge base; unchanged documents are skipped at no cost.") { path, chunkTokens };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int tokens = parse.GetValue(chunkTokens);
            if (tokens is < 16 or > 8192)
            {
                throw new CliInputException("--chunk-tokens must be 16 to 8192.");
            }

            string target = parse.GetValue(path)!;
            if (!File.Exists(target) && !Directory.Exists(target))
            {
                throw new CliInputException($"PATH: no file or folder '{target}'.");
            }

            var kb = Open(parse.GetValue(db)!, chunkTokens: tokens);
            IProgress<KnowledgeIngestionProgress>? progress = Console.IsErrorRedirected ? null
                : new Progress<KnowledgeIngestionProgress>(p => Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{Bar(p.DocumentsDone, p.DocumentsTotal ?? 0)} {p.DocumentsDone}/{p.DocumentsTotal} ")));
            var report = await kb.IngestPathAsync(target, progress: progress, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (progress is not null)
            {
                Console.Error.WriteLine();
            }

            var result = new KnowledgeIngestResult(report.Documents, report.Unchanged, report.Chunks, [.. report.Skipped.Select(s => new KnowledgeSkippedRow(s.Source, s.Reason))]);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(result, CliJsonContext.Output.KnowledgeIngestResult));
            }
            else
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Documents} documents ingested ({result.Chunks} chunks), {result.Unchanged} unchanged, {result.Skipped.Count} skipped."));
                foreach (var skipped in result.Skipped)
                {
                    Console.Out.WriteLine($"  skipped {skipped.Path}: {skipped.Reason}");
                }
            }

            return CliExitCodes.Success;
        });
        return command;
    }

    private static Command Search(Option<bool> json, Option<FileInfo> db)
    {
        var query = new Argument<string>("QUERY") { Description = "What to look for." };
        var mode = new Option<string>("--mode") { Description = "hybrid, vector or keyword. Without an embedding provider hybrid is keyword search.", DefaultValueFactory = _ => "hybrid" };
        var top = new Option<int>("--top") { Description = "How many chunks (1 to 100).", DefaultValueFactory = _ => 5 };
        var command = new Command("search", "Finds the chunks that best match the query, best first.") { query, mode, top };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new KnowledgeSearchOptions { Mode = ParseMode(parse.GetValue(mode)!), Top = ParseTop(parse.GetValue(top)) };
            if (options.Mode == KnowledgeSearchMode.Vector)
            {
                throw new CliInputException("--mode vector needs an embedding provider, and this tool configures none; use --mode keyword or hybrid.");
            }

            var kb = Open(RequireExisting(parse.GetValue(db)!));
            var results = await kb.SearchAsync(parse.GetValue(query)!, options, cancellationToken).ConfigureAwait(false);
            var rows = results.Select(r => new KnowledgeHitRow(r.Chunk.DocumentId, r.Chunk.Title, r.Chunk.Section, r.Chunk.Page, r.Score, r.Chunk.Text)).ToList();
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new KnowledgeSearchOutput(rows), CliJsonContext.Output.KnowledgeSearchOutput));
            }
            else if (rows.Count == 0)
            {
                Console.Out.WriteLine("No results.");
            }
            else
            {
                foreach (var r in rows)
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Score:0.0000}  {r.Document}  {r.Title}{(r.Section is null ? "" : " > " + r.Section)}{(r.Page is null ? "" : $" (page {r.Page})")}"));
                    Console.Out.WriteLine("    " + r.Text.ReplaceLineEndings(" ").Trim());
                }
            }

            return CliExitCodes.Success;
        });
        return command;
    }

    private static Command Ask(Option<bool> json, Option<FileInfo?> config, Option<FileInfo> db)
    {
        var question = new Argument<string>("QUESTION") { Description = "The question." };
        var top = new Option<int>("--top") { Description = "How many chunks to retrieve as sources (1 to 100).", DefaultValueFactory = _ => 8 };
        var command = new Command("ask", "Answers a question from the knowledge base through the full pipeline, with citations.") { question, top };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int count = ParseTop(parse.GetValue(top));
            FileInfo file = RequireExisting(parse.GetValue(db)!);
            using var services = CliHost.Build(parse.GetValue(config), CliConnection.None, Console.Error, out _);
            var chat = services.GetRequiredService<IChatClient>();
            var kb = Open(file, chat);
            var answer = await kb.AskAsync(parse.GetValue(question)!, new KnowledgeAskOptions { Search = new KnowledgeSearchOptions { Top = count } }, cancellationToken).ConfigureAwait(false);
            var usage = answer.Usage;
            var result = new KnowledgeAskResult(
                answer.Text,
                [.. answer.Citations.Select(c => new KnowledgeCitationRow(c.Index, c.DocumentId, c.Title, c.Section, c.Page, c.Text))],
                new ChatUsage(usage?.InputTokenCount, usage?.OutputTokenCount, usage?.CachedInputTokenCount, usage?.ReasoningTokenCount),
                ChatCommand.PriceChat(services, answer.Response!, new ChatOptions()));
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(result, CliJsonContext.Output.KnowledgeAskResult));
            }
            else
            {
                Console.Out.WriteLine(result.Text);
                foreach (var c in result.Citations)
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{c.Index}] {c.Document}  {c.Title}{(c.Section is null ? "" : " > " + c.Section)}{(c.Page is null ? "" : $" (page {c.Page})")}"));
                }

                if (answer.CitesNothing)
                {
                    Console.Error.WriteLine("llmkit: the answer cites no source.");
                }
            }

            return CliExitCodes.Success;
        });
        return command;
    }

    private static FileInfo RequireExisting(FileInfo db) =>
        db.Exists ? db : throw new CliInputException($"--db: file '{db.FullName}' does not exist; create it with 'llmkit knowledge ingest PATH --db {db.Name}'.");

    private static int ParseTop(int top) => top is >= 1 and <= 100 ? top : throw new CliInputException("--top must be 1 to 100.");

    private static KnowledgeSearchMode ParseMode(string mode) => mode.ToUpperInvariant() switch
    {
        "HYBRID" => KnowledgeSearchMode.Hybrid,
        "VECTOR" => KnowledgeSearchMode.Vector,
        "KEYWORD" => KnowledgeSearchMode.Keyword,
        _ => throw new CliInputException($"--mode: '{mode}' is not hybrid, vector or keyword."),
    };

    private static string Bar(int done, int total)
    {
        int filled = total == 0 ? 0 : done * 20 / total;
        return "[" + new string('#', filled) + new string('.', 20 - filled) + "]";
    }
}
