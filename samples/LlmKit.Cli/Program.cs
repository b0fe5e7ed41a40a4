using System.CommandLine;
using LlmKit;
using LlmKit.Cli;
using LlmKit.Cli.Commands;

var json = new Option<bool>("--json") { Description = "Print exactly one JSON document on standard output.", Recursive = true };
var config = new Option<FileInfo?>("--config") { Description = "A JSON file of LlmKit settings: appsettings.json-style with a top-level 'LlmKit' object, or that object's content alone.", Recursive = true };

var root = new RootCommand("llmkit: the LlmKit command-line tool.") { json, config };
root.Subcommands.Add(ChatCommand.Create(json, config));
root.Subcommands.Add(ModelsCommand.Create(json, config));
root.Subcommands.Add(CostCommand.Create(json, config));
root.Subcommands.Add(TokensCommand.Create(json));
root.Subcommands.Add(ScanCommand.Create(json, config));
root.Subcommands.Add(TemplatesCommand.Create(json, config));
root.Subcommands.Add(ConversationsCommand.Create(json));
root.Subcommands.Add(KnowledgeCommand.Create(json, config));
root.Subcommands.Add(KeysCommand.Create(json));

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    Console.Error.WriteLine("llmkit: " + parse.Errors[0].Message + " (see 'llmkit --help')");
    return CliExitCodes.BadInput;
}

try
{
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
}
catch (CliInputException ex)
{
    Console.Error.WriteLine("llmkit: " + ex.Message);
    return CliExitCodes.BadInput;
}
catch (LlmKitConfigurationException ex)
{
    Console.Error.WriteLine("llmkit: " + ex.Message);
    return CliExitCodes.BadInput;
}
catch (ModelNotFoundException ex)
{
    Console.Error.WriteLine("llmkit: " + ex.Message);
    return CliExitCodes.BadInput;
}
catch (StoreUnavailableException ex) when (ex.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 11 or 26 })
{
    // --db names a file that is not a SQLite database, or a damaged one: bad input (exit code 2), not a store outage.
    Console.Error.WriteLine("llmkit: " + ex.Message);
    return CliExitCodes.BadInput;
}
catch (StructuredOutputSchemaException ex)
{
    // --schema names a file that is not a usable JSON Schema: each error with its location.
    Console.Error.WriteLine("llmkit: " + ex.Message);
    return CliExitCodes.BadInput;
}
catch (StructuredOutputException ex)
{
    // The answer still fails its schema after the repair rounds: every error, one a line.
    Console.Error.WriteLine($"llmkit: the answer does not match the schema after {ex.RepairRounds} repair round(s):");
    foreach (var error in ex.Errors)
    {
        Console.Error.WriteLine("  " + error);
    }

    return CliExitCodes.ProblemFound;
}
catch (LlmKitException ex)
{
    Console.Error.WriteLine("llmkit: " + ex.Message);
    return CliExitCodes.ProblemFound;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("llmkit: cancelled.");
    return CliExitCodes.ProblemFound;
}
catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine("llmkit: " + ex.Message);
    return CliExitCodes.ProblemFound;
}
