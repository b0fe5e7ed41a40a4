using System.CommandLine;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Cli.Commands;

/// <summary><c>llmkit templates render|list|show [--db FILE]</c>: renders template files and shows the shipped templates or those of a SQLite store.</summary>
internal static class TemplatesCommand
{
    public static Command Create(Option<bool> json, Option<FileInfo?> config)
    {
        var db = new Option<FileInfo?>("--db") { Description = "A SQLite database file (as written by UseSqliteStores) to list and show templates from, instead of the shipped templates.", Recursive = true };
        var command = new Command("templates", "Renders prompt template files; lists and shows templates.") { db };
        command.Subcommands.Add(Render(json));
        command.Subcommands.Add(List(json, config, db));
        command.Subcommands.Add(Show(json, config, db));
        return command;
    }

    private static Command Render(Option<bool> json)
    {
        var file = new Option<string>("--file") { Description = "The template file: .prompty, .yaml, .yml or .json.", Required = true };
        var inputs = new Option<string?>("--inputs") { Description = "A JSON object file with the input values ('-' reads standard input)." };
        var command = new Command("render", "Renders a template file with inputs from a JSON object.") { file, inputs };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string path = parse.GetValue(file)!;
            PromptTemplate template;
            try
            {
                template = PromptTemplateFiles.Load(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
            {
                throw new CliInputException($"--file: '{path}' cannot be read: {ex.Message}");
            }
            catch (TemplateParseException ex)
            {
                throw new CliInputException(ex.Message);
            }

            var values = await ReadInputsAsync(parse.GetValue(inputs), cancellationToken).ConfigureAwait(false);
            RenderedPrompt rendered;
            try
            {
                // The service without a store: rendering a file needs no host, provider or configuration.
                rendered = new PromptTemplateService(new InMemoryTemplateStore()).Render(template, values);
            }
            catch (Exception ex) when (ex is TemplateRenderException or TemplateParseException)
            {
                throw new CliInputException(ex.Message);
            }

            var result = new TemplateRenderResult(
                rendered.Messages.Select(m => new TemplateMessageRow(m.Role.Value, m.Text)).ToList(),
                Options(rendered));
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(result, CliJsonContext.Output.TemplateRenderResult));
            }
            else
            {
                foreach (var message in result.Messages)
                {
                    Console.Out.WriteLine($"[{message.Role}]");
                    Console.Out.WriteLine(message.Text);
                    Console.Out.WriteLine();
                }

                Console.Error.WriteLine($"template {template.Id}; model {result.Options.ModelId ?? "(default)"}, temperature {result.Options.Temperature?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(default)"}, max output tokens {result.Options.MaxOutputTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(default)"}");
            }

            return CliExitCodes.Success;
        });
        return command;
    }

    private static Command List(Option<bool> json, Option<FileInfo?> config, Option<FileInfo?> db)
    {
        var command = new Command("list", "Lists the templates with their versions and labels (the shipped default templates, or those in --db).");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var services = CliHost.Build(parse.GetValue(config), CliConnection.None, TextWriter.Null, out _);
            var templates = await Service(services, parse.GetValue(db)).ListTemplatesAsync(cancellationToken).ConfigureAwait(false);
            var rows = templates.Select(t => Row(t, full: false)).ToList();
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(rows, CliJsonContext.Output.ListTemplateRow));
            }
            else
            {
                foreach (var row in rows)
                {
                    Console.Out.WriteLine($"{row.Id,-20} v{row.Version,-3} [{string.Join(", ", row.Labels)}] {row.Description}");
                }
            }

            return CliExitCodes.Success;
        });
        return command;
    }

    private static Command Show(Option<bool> json, Option<FileInfo?> config, Option<FileInfo?> db)
    {
        var id = new Argument<string>("ID") { Description = "The template id." };
        var version = new Option<int?>("--version") { Description = "A version number (default: the production label, else the latest)." };
        var label = new Option<string?>("--label") { Description = "A label such as production or latest." };
        var command = new Command("show", "Shows one template: inputs, messages, model hints and labels.") { id, version, label };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var services = CliHost.Build(parse.GetValue(config), CliConnection.None, TextWriter.Null, out _);
            PromptTemplate template;
            try
            {
                template = await Service(services, parse.GetValue(db)).GetTemplateAsync(parse.GetValue(id)!, parse.GetValue(label), parse.GetValue(version), cancellationToken).ConfigureAwait(false);
            }
            catch (TemplateNotFoundException ex)
            {
                throw new CliInputException(ex.Message);
            }

            var row = Row(template, full: true);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(row, CliJsonContext.Output.TemplateRow));
            }
            else
            {
                Console.Out.Write(PromptTemplateFiles.Export(template, PromptTemplateFileFormat.Yaml));
            }

            return CliExitCodes.Success;
        });
        return command;
    }

    /// <summary>The template service of the host, or one over the SQLite template store in <paramref name="db"/> (without the shipped templates).</summary>
    private static IPromptTemplateService Service(ServiceProvider services, FileInfo? db)
    {
        if (db is null)
        {
            return services.GetRequiredService<IPromptTemplateService>();
        }

        if (!db.Exists)
        {
            throw new CliInputException($"--db: '{db.FullName}' does not exist.");
        }

        var store = new SqliteTemplateStore(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = db.FullName }.ToString());
        return new PromptTemplateService(store, Microsoft.Extensions.Options.Options.Create(new PromptTemplateOptions { IncludeDefaultTemplates = false }));
    }

    private static async Task<Dictionary<string, object?>> ReadInputsAsync(string? path, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (path is null)
        {
            return values;
        }

        string text;
        try
        {
            text = path == "-"
                ? await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false)
                : await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new CliInputException($"--inputs: '{path}' cannot be read: {ex.Message}");
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new CliInputException($"--inputs: '{path}' is not valid JSON (line {(ex.LineNumber ?? 0) + 1}): {ex.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new CliInputException($"--inputs: '{path}' must hold a JSON object of input values, such as {{\"question\": \"...\"}}.");
        }

        foreach (var property in root.EnumerateObject())
        {
            values[property.Name] = property.Value;
        }

        return values;
    }

    private static TemplateOptionsRow Options(RenderedPrompt rendered)
    {
        var options = rendered.Options;
        JsonElement? format = options.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } schema } withSchema => JsonSerializer.SerializeToElement(new Dictionary<string, JsonElement>
            {
                ["type"] = JsonSerializer.SerializeToElement("json_schema", CliJsonContext.Output.String),
                ["name"] = JsonSerializer.SerializeToElement(withSchema.SchemaName ?? rendered.TemplateId, CliJsonContext.Output.String),
                ["schema"] = schema,
            }, CliJsonContext.Output.DictionaryStringJsonElement),
            ChatResponseFormatJson => JsonSerializer.SerializeToElement("json", CliJsonContext.Output.String),
            ChatResponseFormatText => JsonSerializer.SerializeToElement("text", CliJsonContext.Output.String),
            _ => null,
        };
        var context = options.GetLlmContext();
        return new TemplateOptionsRow(
            options.ModelId,
            options.Temperature,
            options.TopP,
            options.MaxOutputTokens,
            options.StopSequences?.ToList(),
            options.Seed,
            format,
            rendered.ToolNames,
            rendered.TemplateId,
            context.TemplateVersion);
    }

    private static TemplateRow Row(PromptTemplate template, bool full)
    {
        JsonElement? hints = null;
        if (full && template.ModelHints is not null)
        {
            var exported = JsonDocument.Parse(PromptTemplateFiles.Export(template, PromptTemplateFileFormat.Json)).RootElement;
            hints = exported.TryGetProperty("model", out var model) ? model.Clone() : null;
        }

        return new TemplateRow(
            template.Id,
            template.Version,
            template.Name,
            template.Description,
            template.Tags,
            template.Labels,
            template.Inputs.Select(i => new TemplateInputRow(i.Name, i.Type.ToString().ToLowerInvariant(), i.IsRequired, i.Description, i.Default, i.AllowedValues)).ToList(),
            full ? template.Messages.Select(m => new TemplateTextRow(m.Role.Value, m.Template)).ToList() : null,
            hints,
            template.Tools,
            full ? template.Metadata : null,
            template.CreatedAt);
    }
}
