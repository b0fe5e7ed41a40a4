using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LlmKit;

/// <summary>Writes templates as <c>.prompty</c>, YAML or JSON: the inverse of <see cref="PromptTemplateFiles.Parse"/>.</summary>
internal static class TemplateFileWriter
{
    public static string Write(PromptTemplate template, PromptTemplateFileFormat format) => format switch
    {
        PromptTemplateFileFormat.Prompty => WritePrompty(template),
        PromptTemplateFileFormat.Yaml => WriteYaml(Structured(template)),
        PromptTemplateFileFormat.Json => WriteJson(Structured(template)),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown template file format."),
    };

    private static List<KeyValuePair<string, object?>> Structured(PromptTemplate template)
    {
        var root = new List<KeyValuePair<string, object?>> { new("id", template.Id) };
        Add(root, "name", template.Name);
        Add(root, "description", template.Description);
        AddList(root, "tags", template.Tags);
        AddList(root, "labels", Labels(template));
        if (template.Inputs.Count > 0)
        {
            root.Add(new("inputs", template.Inputs.Select(Input).ToList<object?>()));
        }

        if (template.Engine != TemplateEngine.Mustache)
        {
            root.Add(new("engine", PromptTemplateFiles.EngineName(template.Engine)));
        }

        root.Add(new("messages", template.Messages.Select(m => (object?)new List<KeyValuePair<string, object?>> { new("role", m.Role.Value), new("template", m.Template) }).ToList()));
        if (Model(template.ModelHints, flat: true) is { } model)
        {
            root.Add(new("model", model));
        }

        AddList(root, "tools", template.Tools);
        if (template.Metadata.Count > 0)
        {
            root.Add(new("metadata", template.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)).ToList()));
        }

        return root;
    }

    private static string WritePrompty(PromptTemplate template)
    {
        var body = new StringBuilder();
        for (int i = 0; i < template.Messages.Count; i++)
        {
            var message = template.Messages[i];
            string text = message.Template ?? string.Empty;
            string[] lines = text.Split('\n');
            for (int l = 0; l < lines.Length; l++)
            {
                if (PromptTemplateFiles.RoleHeader().IsMatch(lines[l]))
                {
                    throw new TemplateParseException($"template '{template.Id}', message {i + 1}", l + 1, 1, $"the line '{lines[l].Trim()}' would read back as a role header in a .prompty file; export this template as YAML or JSON instead.");
                }
            }

            if (text.Length == 0 || text.Trim().Length != text.Length)
            {
                throw new TemplateParseException($"template '{template.Id}', message {i + 1}", 1, 1, "the message is empty or starts or ends with blank space, which a .prompty file trims; export this template as YAML or JSON instead.");
            }

            body.Append(message.Role.Value).Append(":\n").Append(text).Append('\n');
            if (i < template.Messages.Count - 1)
            {
                body.Append('\n');
            }
        }

        var front = new List<KeyValuePair<string, object?>> { new("id", template.Id) };
        Add(front, "name", template.Name);
        Add(front, "description", template.Description);
        var metadata = new List<KeyValuePair<string, object?>>();
        AddList(metadata, "tags", template.Tags);
        AddList(metadata, "labels", Labels(template));
        foreach (var pair in template.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (pair.Key is not ("authors" or "version" or "sample"))
            {
                metadata.Add(new(pair.Key, pair.Value));
            }
        }

        if (template.Metadata.TryGetValue("authors", out string? authors))
        {
            metadata.Add(new("authors", authors.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList<object?>()));
        }

        if (metadata.Count > 0)
        {
            front.Add(new("metadata", metadata));
        }

        if (template.Metadata.TryGetValue("version", out string? version))
        {
            front.Add(new("version", version));
        }

        if (Model(template.ModelHints, flat: false) is { } model)
        {
            front.Add(new("model", model));
        }

        if (template.Inputs.Count > 0)
        {
            front.Add(new("inputs", template.Inputs.Select(i => new KeyValuePair<string, object?>(i.Name, Input(i).Skip(1).ToList())).ToList()));
        }

        if (template.Metadata.TryGetValue("sample", out string? sample))
        {
            using var document = JsonDocument.Parse(sample);
            front.Add(new("sample", document.RootElement.Clone()));
        }

        AddList(front, "tools", template.Tools);
        front.Add(new("template", new List<KeyValuePair<string, object?>>
        {
            new("format", new List<KeyValuePair<string, object?>> { new("kind", PromptTemplateFiles.EngineName(template.Engine)) }),
            new("parser", new List<KeyValuePair<string, object?>> { new("kind", "prompty") }),
        }));
        return "---\n" + WriteYaml(front) + "---\n" + body;
    }

    private static List<KeyValuePair<string, object?>> Input(TemplateInput input)
    {
        var map = new List<KeyValuePair<string, object?>> { new("name", input.Name), new("type", input.Type.ToString().ToLowerInvariant()) };
        Add(map, "description", input.Description);
        bool impliedRequired = input.Default is null;
        if (input.IsRequired != impliedRequired)
        {
            map.Add(new("required", input.IsRequired));
        }

        if (input.Default is { } fallback)
        {
            map.Add(new("default", fallback));
        }

        AddList(map, "allowedValues", input.AllowedValues);
        if (input.JsonSchema is { } schema)
        {
            map.Add(new("schema", schema));
        }

        return map;
    }

    private static List<KeyValuePair<string, object?>>? Model(TemplateModelHints? hints, bool flat)
    {
        if (hints is null)
        {
            return null;
        }

        var model = new List<KeyValuePair<string, object?>>();
        Add(model, "id", hints.Model);
        var options = flat ? model : [];
        Add(options, "temperature", hints.Temperature);
        Add(options, "topP", hints.TopP);
        Add(options, "maxOutputTokens", hints.MaxOutputTokens);
        AddList(options, "stopSequences", hints.StopSequences);
        Add(options, "frequencyPenalty", hints.FrequencyPenalty);
        Add(options, "presencePenalty", hints.PresencePenalty);
        Add(options, "seed", hints.Seed);
        if (hints.ResponseFormat is { } format)
        {
            if (format.TrimStart().StartsWith('{'))
            {
                using var document = JsonDocument.Parse(format);
                options.Add(new("responseFormat", document.RootElement.Clone()));
            }
            else
            {
                options.Add(new("responseFormat", format));
            }
        }

        var extra = hints.AdditionalProperties.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new KeyValuePair<string, object?>(p.Key, p.Value is JsonElement e ? e : JsonSerializer.SerializeToElement(p.Value)))
            .ToList();
        if (flat)
        {
            if (extra.Count > 0)
            {
                model.Add(new("additionalProperties", extra));
            }
        }
        else
        {
            options.AddRange(extra);
            if (options.Count > 0)
            {
                model.Add(new("options", options));
            }
        }

        return model.Count > 0 ? model : null;
    }

    private static List<string> Labels(PromptTemplate template)
        => template.Labels.Where(l => !string.Equals(l, InMemoryTemplateStore.LatestLabel, StringComparison.Ordinal)).ToList();

    private static void Add(List<KeyValuePair<string, object?>> map, string key, object? value)
    {
        if (value is not null)
        {
            map.Add(new(key, value));
        }
    }

    private static void AddList(List<KeyValuePair<string, object?>> map, string key, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            map.Add(new(key, values.ToList<object?>()));
        }
    }

    private static string WriteYaml(List<KeyValuePair<string, object?>> root)
    {
        var document = new YamlDocument(ToYaml(root));
        var stream = new YamlStream(document);
        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        stream.Save(writer, assignAnchors: false);
        string text = writer.ToString();
        // YamlStream ends a document with "...": a single document needs no end marker.
        if (text.EndsWith("...\n", StringComparison.Ordinal))
        {
            text = text[..^4];
        }

        return text.EndsWith('\n') ? text : text + "\n";
    }

    private static YamlNode ToYaml(object? value)
    {
        switch (value)
        {
            case null:
                return new YamlScalarNode("null") { Style = ScalarStyle.Plain };
            case string s:
                return new YamlScalarNode(s) { Style = s.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal : ScalarStyle.DoubleQuoted };
            case bool b:
                return new YamlScalarNode(b ? "true" : "false") { Style = ScalarStyle.Plain };
            case float f:
                return new YamlScalarNode(f.ToString("R", CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };
            case IFormattable number:
                return new YamlScalarNode(number.ToString(null, CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };
            case JsonElement element:
                return FromJson(element);
            case List<KeyValuePair<string, object?>> map:
                var mapping = new YamlMappingNode();
                foreach (var pair in map)
                {
                    mapping.Add(new YamlScalarNode(pair.Key), ToYaml(pair.Value));
                }

                return mapping;
            case List<object?> list:
                var sequence = new YamlSequenceNode();
                foreach (object? item in list)
                {
                    sequence.Add(ToYaml(item));
                }

                return sequence;
            default:
                return new YamlScalarNode(value.ToString()) { Style = ScalarStyle.DoubleQuoted };
        }
    }

    private static YamlNode FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var mapping = new YamlMappingNode();
                foreach (var property in element.EnumerateObject())
                {
                    mapping.Add(new YamlScalarNode(property.Name), FromJson(property.Value));
                }

                return mapping;
            case JsonValueKind.Array:
                var sequence = new YamlSequenceNode();
                foreach (var item in element.EnumerateArray())
                {
                    sequence.Add(FromJson(item));
                }

                return sequence;
            case JsonValueKind.String:
                return ToYaml(element.GetString());
            case JsonValueKind.Null:
                return new YamlScalarNode("null") { Style = ScalarStyle.Plain };
            default:
                return new YamlScalarNode(element.GetRawText()) { Style = ScalarStyle.Plain };
        }
    }

    private static string WriteJson(List<KeyValuePair<string, object?>> root)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteJsonValue(writer, root);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    private static void WriteJsonValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case float f:
                writer.WriteRawValue(f.ToString("R", CultureInfo.InvariantCulture));
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case List<KeyValuePair<string, object?>> map:
                writer.WriteStartObject();
                foreach (var pair in map)
                {
                    writer.WritePropertyName(pair.Key);
                    WriteJsonValue(writer, pair.Value);
                }

                writer.WriteEndObject();
                break;
            case List<object?> list:
                writer.WriteStartArray();
                foreach (object? item in list)
                {
                    WriteJsonValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }
}
