using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using YamlDotNet.RepresentationModel;

namespace LlmKit;

/// <summary>
/// Reads prompt templates from <c>.prompty</c>, YAML and JSON files (one by one, a folder, or embedded
/// resources) and writes them back. Every problem is a <see cref="TemplateParseException"/> naming the file,
/// line and column; a file is never read as one user message when its structure is wrong.
/// </summary>
/// <remarks>
/// <para>
/// <c>.prompty</c>: YAML front matter between <c>---</c> lines with Prompty's v1 field names (<c>name</c>,
/// <c>description</c>, <c>authors</c>, <c>tags</c>, <c>version</c>, <c>model: {api, configuration, parameters}</c>,
/// <c>sample</c>, <c>inputs</c>, <c>outputs</c>, <c>template</c>) or v2 ones (<c>metadata: {authors, tags, version}</c>,
/// <c>model: {id, provider, apiType, connection, options}</c>, <c>inputs</c> with <c>kind</c>, <c>outputs</c>,
/// <c>tools</c>, <c>template: {format, parser}</c>), then the body: role sections, each starting with a line
/// <c>system:</c>, <c>user:</c> or <c>assistant:</c> (also <c>developer:</c>, read as system; an optional
/// <c>#</c> before the role and <c>[...]</c> after it are accepted). The roles are read from the file before
/// anything is rendered, so no input value can add or change a message. Each section's text is trimmed.
/// The template id is the front matter's <c>id</c> (or <c>metadata.id</c>), else the file name without extension.
/// </para>
/// <para>
/// The template syntax is mustache; a file that declares <c>template: jinja2</c> may use only what both
/// share (<c>{{name}}</c> variables); Jinja statements are an error.
/// </para>
/// </remarks>
public static partial class PromptTemplateFiles
{
    /// <summary>Reads the template file at <paramref name="path"/>, choosing the format by extension (<c>.prompty</c>, <c>.yaml</c>, <c>.yml</c>, <c>.json</c>).</summary>
    /// <param name="path">The file path.</param>
    /// <returns>The template, with version 0 (not stored).</returns>
    /// <exception cref="TemplateParseException">The file cannot be parsed, or its extension is not a template format.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static PromptTemplate Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var format = FormatOf(path) ?? throw new TemplateParseException(path, 0, 0, "not a template file; use the extension .prompty, .yaml, .yml or .json.");
        return ParseCore(File.ReadAllText(path, Encoding.UTF8), format, path, Path.GetFileNameWithoutExtension(path), Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>Reads every template file (<c>.prompty</c>, <c>.yaml</c>, <c>.yml</c>, <c>.json</c>) in a folder and its subfolders, in path order.</summary>
    /// <param name="directory">The folder.</param>
    /// <returns>The templates.</returns>
    /// <exception cref="TemplateParseException">A file cannot be parsed, or two files declare the same template id.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static IReadOnlyList<PromptTemplate> LoadDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The prompt template folder '{Path.GetFullPath(directory)}' does not exist.");
        }

        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => FormatOf(f) is not null)
            .Order(StringComparer.Ordinal)
            .ToList();
        var templates = new List<PromptTemplate>(files.Count);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in files)
        {
            var template = Load(file);
            if (seen.TryGetValue(template.Id, out string? other))
            {
                throw new TemplateParseException(file, 0, 0, $"template id '{template.Id}' is already used by '{other}'; give one of them another 'id'.");
            }

            seen[template.Id] = file;
            templates.Add(template);
        }

        return templates;
    }

    /// <summary>Reads every template embedded as a resource in <paramref name="assembly"/> whose name starts with <paramref name="resourcePrefix"/> and ends with a template extension.</summary>
    /// <param name="assembly">The assembly holding the resources.</param>
    /// <param name="resourcePrefix">The resource name prefix; <see langword="null"/> for all.</param>
    /// <returns>The templates, in resource name order.</returns>
    /// <exception cref="TemplateParseException">A resource cannot be parsed.</exception>
    public static IReadOnlyList<PromptTemplate> LoadEmbedded(Assembly assembly, string? resourcePrefix = null)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var templates = new List<PromptTemplate>();
        foreach (string name in assembly.GetManifestResourceNames().Order(StringComparer.Ordinal))
        {
            if ((resourcePrefix is null || name.StartsWith(resourcePrefix, StringComparison.Ordinal)) && FormatOf(name) is { } format)
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var reader = new StreamReader(stream, Encoding.UTF8);
                string fileName = resourcePrefix is null ? name : name[resourcePrefix.Length..];
                templates.Add(Parse(reader.ReadToEnd(), format, $"{assembly.GetName().Name}:{name}", Path.GetFileNameWithoutExtension(fileName)));
            }
        }

        return templates;
    }

    /// <summary>Parses template text.</summary>
    /// <param name="text">The file content.</param>
    /// <param name="format">The format.</param>
    /// <param name="sourceName">The file name used in errors. Defaults to <c>template</c>.</param>
    /// <param name="defaultId">The id when the text declares none; <see langword="null"/> makes a missing id an error.</param>
    /// <returns>The template, with version 0 (not stored).</returns>
    /// <exception cref="TemplateParseException">The text cannot be parsed.</exception>
    public static PromptTemplate Parse(string text, PromptTemplateFileFormat format, string sourceName = "template", string? defaultId = null)
        => ParseCore(text, format, sourceName, defaultId, folder: null);

    /// <summary>Parses template text; <paramref name="folder"/> is the template's folder for <c>${file:...}</c> references, or <see langword="null"/> when it has none.</summary>
    private static PromptTemplate ParseCore(string text, PromptTemplateFileFormat format, string sourceName, string? defaultId, string? folder)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        var template = format switch
        {
            PromptTemplateFileFormat.Prompty => ParsePrompty(text, sourceName, defaultId, folder),
            PromptTemplateFileFormat.Yaml => ParseStructured(TemplateYamlReader.LoadMapping(text, sourceName, 0), sourceName, defaultId, folder),
            PromptTemplateFileFormat.Json => ParseJson(text, sourceName, defaultId, folder),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown template file format."),
        };
        return template;
    }

    /// <summary>Writes a template in a file format; <see cref="Parse"/> reads it back to the same template (ids, messages, inputs, hints, tools, tags, labels other than <c>latest</c>, metadata).</summary>
    /// <param name="promptTemplate">The template.</param>
    /// <param name="format">The format.</param>
    /// <returns>The file content.</returns>
    /// <exception cref="TemplateParseException">The template cannot be written as <c>.prompty</c> because a message contains a line that would read back as a role header (use YAML or JSON), or its text has surrounding blank space that the format would trim.</exception>
    public static string Export(PromptTemplate promptTemplate, PromptTemplateFileFormat format)
    {
        ArgumentNullException.ThrowIfNull(promptTemplate);
        return TemplateFileWriter.Write(promptTemplate, format);
    }

    /// <summary>Writes a template to a file, choosing the format by extension.</summary>
    /// <param name="promptTemplate">The template.</param>
    /// <param name="path">The file path (<c>.prompty</c>, <c>.yaml</c>, <c>.yml</c> or <c>.json</c>).</param>
    /// <exception cref="TemplateParseException">The extension is not a template format, or the template cannot be written in it.</exception>
    public static void Save(PromptTemplate promptTemplate, string path)
    {
        ArgumentNullException.ThrowIfNull(promptTemplate);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var format = FormatOf(path) ?? throw new TemplateParseException(path, 0, 0, "not a template file; use the extension .prompty, .yaml, .yml or .json.");
        File.WriteAllText(path, Export(promptTemplate, format), new UTF8Encoding(false));
    }

    /// <summary>Returns the format a file name's extension stands for, or <see langword="null"/>.</summary>
    /// <param name="path">The file name or path.</param>
    /// <returns>The format, or <see langword="null"/> for another extension.</returns>
    public static PromptTemplateFileFormat? FormatOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string extension = Path.GetExtension(path);
        return extension.ToLowerInvariant() switch
        {
            ".prompty" => PromptTemplateFileFormat.Prompty,
            ".yaml" or ".yml" => PromptTemplateFileFormat.Yaml,
            ".json" => PromptTemplateFileFormat.Json,
            _ => null,
        };
    }

    [GeneratedRegex(@"^[ \t]*#?[ \t]*(?<role>system|user|assistant|developer|human|tool|function)[ \t]*(\[[^\]\r\n]*\])?[ \t]*:[ \t]*\r?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex RoleHeader();

    private static PromptTemplate ParseJson(string text, string source, string? defaultId, string? folder)
    {
        try
        {
            using var _ = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new TemplateParseException(source, (int)(ex.LineNumber ?? -1) + 1, (int)(ex.BytePositionInLine ?? -1) + 1, $"invalid JSON: {ex.Message}", ex);
        }

        // Valid JSON has no raw tabs inside strings, so replacing them keeps every value and position while
        // letting the YAML reader (which gives every field its line and column) read the document.
        return ParseStructured(TemplateYamlReader.LoadMapping(text.Replace('\t', ' '), source, 0), source, defaultId, folder);
    }

    private static PromptTemplate ParseStructured(YamlMappingNode map, string source, string? defaultId, string? folder)
    {
        var reader = new TemplateYamlReader(source, 0);
        FrontMatterReferences.Resolve(map, reader, folder);
        string[] known = ["id", "name", "description", "tags", "labels", "inputs", "messages", "model", "tools", "metadata", "engine"];
        foreach (var pair in map.Children)
        {
            string key = ((YamlScalarNode)pair.Key).Value ?? string.Empty;
            if (Array.IndexOf(known, key) < 0)
            {
                throw reader.Error(pair.Key, $"unknown field '{key}'; a template file has {string.Join(", ", known)}.");
            }
        }

        string id = reader.String(TemplateYamlReader.Get(map, "id"), "id") ?? defaultId ?? throw reader.Error(map, "the template needs an 'id'.");
        var messagesNode = TemplateYamlReader.Get(map, "messages") ?? throw reader.Error(map, "the template needs 'messages': a list of {role, template}.");
        if (messagesNode is not YamlSequenceNode messageList || messageList.Children.Count == 0)
        {
            throw reader.Error(messagesNode, "'messages' must be a non-empty list of {role, template}.");
        }

        var engine = TemplateEngine.Mustache;
        if (TemplateYamlReader.Get(map, "engine") is { } engineNode && reader.String(engineNode, "engine") is { } engineName)
        {
            engine = ParseEngine(engineName) ?? throw reader.Error(engineNode, $"template engine '{engineName}' is not supported; use mustache, jinja2 (or nunjucks) or liquid.");
        }

        var messages = new List<TemplateMessage>();
        foreach (var item in messageList.Children)
        {
            var message = reader.Map(item, "messages[]");
            var roleNode = TemplateYamlReader.Get(message, "role") ?? throw reader.Error(item, "each message needs a 'role' (system, user or assistant).");
            string roleName = reader.String(roleNode, "role") ?? string.Empty;
            var role = TemplateYamlReader.ParseRole(roleName) ?? throw reader.Error(roleNode, $"unknown role '{roleName}'; use system, user or assistant.");
            var textNode = TemplateYamlReader.Get(message, "template", "content", "text") ?? throw reader.Error(item, "each message needs a 'template' (its text).");
            string body = reader.String(textNode, "template") ?? string.Empty;
            CheckBody(body, source, (int)textNode.Start.Line + (textNode is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Literal or YamlDotNet.Core.ScalarStyle.Folded } ? 1 : 0), engine);
            messages.Add(new TemplateMessage(role, body));
        }

        var tools = reader.Strings(TemplateYamlReader.Get(map, "tools"), "tools");
        var hints = reader.Model(TemplateYamlReader.Get(map, "model"), tools);
        return new PromptTemplate
        {
            Id = CheckId(id, reader, map),
            Name = reader.String(TemplateYamlReader.Get(map, "name"), "name"),
            Description = reader.String(TemplateYamlReader.Get(map, "description"), "description"),
            Tags = reader.Strings(TemplateYamlReader.Get(map, "tags"), "tags"),
            Labels = reader.Strings(TemplateYamlReader.Get(map, "labels"), "labels"),
            Inputs = WithSample(reader, reader.Inputs(TemplateYamlReader.Get(map, "inputs") ?? InputSchemaProperties(map)), TemplateYamlReader.Get(map, "sample")),
            Engine = engine,
            Messages = messages,
            ModelHints = hints,
            Tools = tools,
            Metadata = Metadata(reader, TemplateYamlReader.Get(map, "metadata"), null),
        };
    }

    private static PromptTemplate ParsePrompty(string text, string source, string? defaultId, string? folder)
    {
        string[] lines = text.Split('\n');
        // Prompty's shorthand: a file without front matter is only its body (Jinja2, roles as usual).
        bool hasFrontMatter = lines.Length > 0 && lines[0].TrimEnd('\r').Trim() == "---";
        int end = -1;
        if (hasFrontMatter)
        {
            for (int i = 1; i < lines.Length; i++)
            {
                if (lines[i].TrimEnd('\r').Trim() == "---")
                {
                    end = i;
                    break;
                }
            }

            if (end < 0)
            {
                throw new TemplateParseException(source, 1, 1, "the front matter opened on line 1 is never closed with a '---' line.");
            }
        }

        string frontMatter = hasFrontMatter ? string.Join('\n', lines, 1, end - 1) : string.Empty;
        var reader = new TemplateYamlReader(source, 1);
        var map = string.IsNullOrWhiteSpace(frontMatter) ? new YamlMappingNode() : TemplateYamlReader.LoadMapping(frontMatter, source, 1);
        FrontMatterReferences.Resolve(map, reader, folder);
        var metadataNode = TemplateYamlReader.Get(map, "metadata");
        var metadataMap = metadataNode is null || TemplateYamlReader.IsNull(metadataNode) ? null : reader.Map(metadataNode, "metadata");

        // Prompty's specification: without a 'template' field the body is Jinja2.
        var engine = TemplateEngine.Jinja2;
        if (TemplateYamlReader.Get(map, "template") is { } templateNode && !TemplateYamlReader.IsNull(templateNode))
        {
            string? kind = templateNode is YamlScalarNode s ? s.Value
                : TemplateYamlReader.Get(reader.Map(templateNode, "template"), "format", "type") is { } formatNode
                    ? formatNode is YamlMappingNode formatMap ? reader.String(TemplateYamlReader.Get(formatMap, "kind", "type"), "template.format.kind") : reader.String(formatNode, "template.format")
                    : null;
            if (kind is not null)
            {
                engine = ParseEngine(kind) ?? throw reader.Error(templateNode, $"template format '{kind}' is not supported; use jinja2 (the default), nunjucks (read as jinja2), liquid or mustache.");
            }
        }

        var messages = ParseBody(lines, end + 1, source, engine);
        string? id = reader.String(TemplateYamlReader.Get(map, "id"), "id")
            ?? (metadataMap is null ? null : reader.String(TemplateYamlReader.Get(metadataMap, "id"), "metadata.id"))
            ?? defaultId
            ?? throw new TemplateParseException(source, 2, 1, "the template needs an 'id' (or load it from a file, whose name is the default id).");

        var tools = new List<string>();
        if (TemplateYamlReader.Get(map, "tools") is { } toolsNode && toolsNode is YamlSequenceNode toolList)
        {
            foreach (var tool in toolList.Children)
            {
                tools.Add(tool is YamlMappingNode toolMap
                    ? reader.String(TemplateYamlReader.Get(toolMap, "name", "id"), "tools[].name") ?? throw reader.Error(tool, "each tool needs a 'name'.")
                    : reader.String(tool, "tools[]")!);
            }
        }

        var hints = reader.Model(TemplateYamlReader.Get(map, "model"), tools);
        if (reader.OutputsSchema(TemplateYamlReader.Get(map, "outputs")) is { } schema && hints?.ResponseFormat is null)
        {
            hints = (hints ?? new TemplateModelHints()) with { ResponseFormat = schema };
        }

        var tags = reader.Strings(TemplateYamlReader.Get(map, "tags"), "tags");
        var labels = new List<string>();
        var metadata = Metadata(reader, metadataMap, ["id", "tags", "labels", "authors"]);
        if (metadataMap is not null)
        {
            tags.AddRange(reader.Strings(TemplateYamlReader.Get(metadataMap, "tags"), "metadata.tags"));
            labels.AddRange(reader.Strings(TemplateYamlReader.Get(metadataMap, "labels"), "metadata.labels"));
        }

        var authors = reader.Strings(TemplateYamlReader.Get(map, "authors"), "authors");
        if (metadataMap is not null)
        {
            authors.AddRange(reader.Strings(TemplateYamlReader.Get(metadataMap, "authors"), "metadata.authors"));
        }

        if (authors.Count > 0)
        {
            metadata["authors"] = string.Join(", ", authors);
        }

        if (reader.String(TemplateYamlReader.Get(map, "version"), "version") is { } fileVersion)
        {
            metadata["version"] = fileVersion;
        }

        if (TemplateYamlReader.Get(map, "sample") is { } sample && !TemplateYamlReader.IsNull(sample))
        {
            metadata["sample"] = TemplateYamlReader.ToJsonText(sample);
        }

        return new PromptTemplate
        {
            Id = CheckId(id, reader, map),
            Name = reader.String(TemplateYamlReader.Get(map, "name"), "name") ?? reader.String(TemplateYamlReader.Get(map, "displayName"), "displayName"),
            Description = reader.String(TemplateYamlReader.Get(map, "description"), "description"),
            Tags = tags,
            Labels = labels,
            Inputs = WithSample(reader, reader.Inputs(TemplateYamlReader.Get(map, "inputs") ?? InputSchemaProperties(map)), TemplateYamlReader.Get(map, "sample")),
            Engine = engine,
            Messages = messages,
            ModelHints = hints,
            Tools = tools,
            Metadata = metadata,
        };
    }

    private static List<TemplateMessage> ParseBody(string[] lines, int first, string source, TemplateEngine engine)
    {
        if (engine != TemplateEngine.Mustache)
        {
            CheckRoleMarkersOutsideBlocks(lines, first, source);
        }

        var messages = new List<TemplateMessage>();

        // Text before the first role marker is a system message, as Prompty's specification says.
        ChatRole? role = ChatRole.System;
        int headerLine = first - 1;
        int start = first;
        bool implicitSystem = true;
        for (int i = first; i <= lines.Length; i++)
        {
            var match = i < lines.Length ? RoleHeader().Match(lines[i]) : null;
            if (i < lines.Length && !match!.Success)
            {
                continue;
            }

            if (role is { } current)
            {
                string body = string.Join('\n', lines, start, i - start).Replace("\r", string.Empty, StringComparison.Ordinal);
                int leading = body.Length - body.TrimStart().Length;
                int bodyLine = start + 1 + body.AsSpan(0, leading).Count('\n');
                body = body.Trim();
                if (body.Length == 0 && !implicitSystem)
                {
                    throw new TemplateParseException(source, headerLine + 1, 1, $"the '{current.Value}:' section is empty; write its text or remove the line.");
                }

                if (body.Length > 0)
                {
                    CheckBody(body, source, bodyLine, engine);
                    messages.Add(new TemplateMessage(current, body));
                }
            }

            if (i == lines.Length)
            {
                break;
            }

            string roleName = match!.Groups["role"].Value;
            role = TemplateYamlReader.ParseRole(roleName) ?? throw new TemplateParseException(source, i + 1, 1, $"role '{roleName}' cannot start a template message; use system, user or assistant (tool results come from the tool loop).");
            implicitSystem = false;
            headerLine = i;
            start = i + 1;
        }

        if (messages.Count == 0)
        {
            throw new TemplateParseException(source, first + 1, 1, "the body is empty; write the messages after the front matter, each role section starting with a line 'system:', 'user:' or 'assistant:'.");
        }

        return messages;
    }

    /// <summary>
    /// Refuses a role marker inside a Jinja/Liquid block: the file is split into messages before rendering, so a loop or
    /// condition cannot make messages (a deliberate difference from Prompty's runtime, which renders first and splits after).
    /// </summary>
    private static void CheckRoleMarkersOutsideBlocks(string[] lines, int first, string source)
    {
        var open = new Stack<(string Tag, int Line, int Column)>();
        for (int i = first; i < lines.Length; i++)
        {
            if (open.Count > 0 && GeneratedRoleHeader().IsMatch(lines[i]))
            {
                var (tag, line, column) = open.Peek();
                throw new TemplateParseException(source, i + 1, 1, $"the line '{lines[i].Trim()}' would make a role marker from a value inside the '{{% {tag} %}}' block opened at line {line}, column {column}. LlmKit splits a template into messages before rendering, so values, loops and conditions cannot create messages (unlike Prompty's runtime); pass the conversation as a 'kind: thread' input and write it alone on its line ('{{{{history}}}}').");
            }

            if (open.Count > 0 && RoleHeader().Match(lines[i]) is { Success: true } header)
            {
                var (tag, line, column) = open.Peek();
                throw new TemplateParseException(source, i + 1, 1, $"the role marker '{header.Value.Trim()}' is inside the '{{% {tag} %}}' block opened at line {line}, column {column}. LlmKit splits a template into messages before rendering, so loops and conditions cannot create messages (unlike Prompty's runtime); close the block before the marker, or pass prior messages as a 'kind: thread' input.");
            }

            foreach (Match tag in BlockTag().Matches(lines[i]))
            {
                string name = tag.Groups["name"].Value;
                if (name is "for" or "if" or "unless" or "case" or "capture" or "raw" or "comment")
                {
                    open.Push((name, i + 1, tag.Index + 1));
                }
                else if (name.StartsWith("end", StringComparison.Ordinal) && open.Count > 0)
                {
                    open.Pop();
                }
            }
        }
    }

    [GeneratedRegex(@"^\s*\{\{[^{}]*\}\}\s*:\s*\r?$")]
    private static partial Regex GeneratedRoleHeader();

    [GeneratedRegex(@"\{%-?\s*(?<name>[A-Za-z_]+)")]
    private static partial Regex BlockTag();

    /// <summary>Prompty v2's <c>inputSchema: {properties: [...]}</c>.</summary>
    private static YamlNode? InputSchemaProperties(YamlMappingNode map)
        => TemplateYamlReader.Get(map, "inputSchema") is YamlMappingNode schema ? TemplateYamlReader.Get(schema, "properties") : null;

    /// <summary>
    /// Prompty v1's <c>sample</c>: its values fill the inputs the caller does not give (after the declared defaults), as
    /// Prompty's runtime hoists them; a sample value for an undeclared name declares it as an optional input.
    /// </summary>
    private static List<TemplateInput> WithSample(TemplateYamlReader reader, List<TemplateInput> inputs, YamlNode? sample)
    {
        if (sample is null || TemplateYamlReader.IsNull(sample))
        {
            return inputs;
        }

        if (sample is not YamlMappingNode values)
        {
            throw reader.Error(sample, "'sample' must be a mapping of input names to values (or '${file:sample.json}').");
        }

        foreach (var pair in values.Children)
        {
            string name = ((YamlScalarNode)pair.Key).Value ?? string.Empty;
            if (TemplateYamlReader.IsNull(pair.Value))
            {
                continue;
            }

            var value = TemplateYamlReader.ToJson(pair.Value);
            int index = inputs.FindIndex(i => i.Name == name);
            if (index < 0)
            {
                inputs.Add(new TemplateInput { Name = name, Type = TemplateYamlReader.InferType(value), Default = value, IsRequired = false });
            }
            else if (inputs[index].Default is null && TemplateValues.Matches(inputs[index].Type, value))
            {
                inputs[index] = inputs[index] with { Default = value, IsRequired = false };
            }
        }

        return inputs;
    }

    /// <summary>Returns the engine a Prompty <c>template</c> format names, or <see langword="null"/> for an unknown one.</summary>
    internal static TemplateEngine? ParseEngine(string name) => name.Trim().ToLowerInvariant() switch
    {
        "jinja2" or "jinja" or "nunjucks" => TemplateEngine.Jinja2,
        "liquid" => TemplateEngine.Liquid,
        "mustache" => TemplateEngine.Mustache,
        _ => null,
    };

    /// <summary>Returns the name written for an engine in files.</summary>
    internal static string EngineName(TemplateEngine engine) => engine switch
    {
        TemplateEngine.Jinja2 => "jinja2",
        TemplateEngine.Liquid => "liquid",
        _ => "mustache",
    };

    private static void CheckBody(string body, string source, int firstLine, TemplateEngine engine)
    {
        if (engine != TemplateEngine.Mustache)
        {
            // Parsed here for the file position of any problem; partials are resolved when rendering.
            FluidMessageTemplate.Compile(body, engine, source, firstLine, partials: null);
            return;
        }

        MustacheParser.Parse(body, source, firstLine, PartialsAccepted.Instance);
    }

    private static string CheckId(string id, TemplateYamlReader reader, YamlNode node)
    {
        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/'))
            {
                throw reader.Error(node, $"'{id}' is not a valid template id; use letters, digits, '_', '-', '.' and '/'.");
            }
        }

        return id.Length > 0 ? id : throw reader.Error(node, "the template id is empty.");
    }

    private static Dictionary<string, string> Metadata(TemplateYamlReader reader, YamlNode? node, string[]? skip)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is null || TemplateYamlReader.IsNull(node))
        {
            return metadata;
        }

        foreach (var pair in reader.Map(node, "metadata").Children)
        {
            string key = ((YamlScalarNode)pair.Key).Value ?? string.Empty;
            if (skip is not null && Array.IndexOf(skip, key) >= 0)
            {
                continue;
            }

            metadata[key] = pair.Value is YamlScalarNode scalar ? scalar.Value ?? string.Empty : TemplateYamlReader.ToJsonText(pair.Value);
        }

        return metadata;
    }

    /// <summary>Accepts any partial name while checking syntax (partials are known only to the renderer).</summary>
    private sealed class PartialsAccepted : IReadOnlyDictionary<string, string>
    {
        public static readonly PartialsAccepted Instance = new();

        public int Count => 1;

        public IEnumerable<string> Keys => [];

        public IEnumerable<string> Values => [];

        public string this[string key] => string.Empty;

        public bool ContainsKey(string key) => true;

        public bool TryGetValue(string key, out string value)
        {
            value = string.Empty;
            return true;
        }

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => Enumerable.Empty<KeyValuePair<string, string>>().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
