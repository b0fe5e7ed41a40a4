using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LlmKit;

/// <summary>Reads templates from YAML nodes (front matter, YAML and JSON files), reporting problems with their file, line and column.</summary>
internal sealed class TemplateYamlReader(string source, int lineOffset)
{
    public string Source { get; } = source;

    public static YamlMappingNode LoadMapping(string text, string source, int lineOffset)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            string problem = ex.InnerException is { } inner ? $"{ex.Message.Trim()} {inner.Message}" : ex.Message.Trim();
            throw new TemplateParseException(source, (int)ex.Start.Line + lineOffset, (int)ex.Start.Column, $"invalid YAML: {problem}", ex);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
        {
            int line = stream.Documents.Count > 0 ? (int)stream.Documents[0].RootNode.Start.Line + lineOffset : 1 + lineOffset;
            throw new TemplateParseException(source, line, 1, "expected a mapping of template fields (for example 'name: ...').");
        }

        return mapping;
    }

    public TemplateParseException Error(YamlNode node, string problem)
        => new(Source, (int)node.Start.Line + lineOffset, (int)node.Start.Column, problem);

    public static YamlNode? Get(YamlMappingNode map, params string[] keys)
    {
        foreach (var pair in map.Children)
        {
            if (pair.Key is YamlScalarNode { Value: { } key })
            {
                foreach (string wanted in keys)
                {
                    if (string.Equals(key, wanted, StringComparison.Ordinal))
                    {
                        return pair.Value;
                    }
                }
            }
        }

        return null;
    }

    public YamlMappingNode Map(YamlNode node, string what)
        => node as YamlMappingNode ?? throw Error(node, $"'{what}' must be a mapping (key: value lines).");

    public string? String(YamlNode? node, string what)
    {
        if (node is null || IsNull(node))
        {
            return null;
        }

        return node is YamlScalarNode scalar ? scalar.Value : throw Error(node, $"'{what}' must be text.");
    }

    public float? Float(YamlNode? node, string what)
    {
        string? text = String(node, what);
        return text is null ? null
            : float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) ? value
            : throw Error(node!, $"'{what}' must be a number, not '{text}'.");
    }

    public long? Long(YamlNode? node, string what)
    {
        string? text = String(node, what);
        return text is null ? null
            : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) ? value
            : throw Error(node!, $"'{what}' must be a whole number, not '{text}'.");
    }

    public bool? Bool(YamlNode? node, string what)
    {
        string? text = String(node, what);
        return text switch
        {
            null => null,
            "true" or "True" or "TRUE" or "yes" => true,
            "false" or "False" or "FALSE" or "no" => false,
            _ => throw Error(node!, $"'{what}' must be true or false, not '{text}'."),
        };
    }

    public List<string> Strings(YamlNode? node, string what)
    {
        var list = new List<string>();
        if (node is null || IsNull(node))
        {
            return list;
        }

        if (node is YamlScalarNode scalar)
        {
            // A comma-separated line is accepted for convenience: "tags: a, b".
            foreach (string part in (scalar.Value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                list.Add(part);
            }

            return list;
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw Error(node, $"'{what}' must be a list of text values.");
        }

        foreach (var item in sequence.Children)
        {
            list.Add(String(item, what) ?? throw Error(item, $"'{what}' must not contain empty entries."));
        }

        return list;
    }

    public static bool IsNull(YamlNode node)
        => node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>Converts a YAML node to JSON: plain scalars that read as numbers, booleans or null become those; everything else is text.</summary>
    public static JsonElement ToJson(YamlNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteJson(writer, node);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    public static string ToJsonText(YamlNode node) => ToJson(node).GetRawText();

    private static void WriteJson(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                writer.WriteStartObject();
                foreach (var pair in map.Children)
                {
                    writer.WritePropertyName(((YamlScalarNode)pair.Key).Value ?? string.Empty);
                    WriteJson(writer, pair.Value);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    WriteJson(writer, item);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                string? value = scalar.Value;
                bool plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
                if (plain && IsNull(scalar))
                {
                    writer.WriteNullValue();
                }
                else if (plain && value is "true" or "false")
                {
                    writer.WriteBooleanValue(value == "true");
                }
                else if (plain && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole))
                {
                    writer.WriteNumberValue(whole);
                }
                else if (plain && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number))
                {
                    writer.WriteNumberValue(number);
                }
                else
                {
                    writer.WriteStringValue(value);
                }

                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    public static ChatRole? ParseRole(string name) => name.ToLowerInvariant() switch
    {
        "system" or "developer" => ChatRole.System,
        "user" or "human" => ChatRole.User,
        "assistant" => ChatRole.Assistant,
        _ => null,
    };

    public static TemplateInputType? ParseType(string name) => name.ToLowerInvariant() switch
    {
        "string" or "str" or "text" => TemplateInputType.String,
        "integer" or "int" or "long" => TemplateInputType.Integer,
        "number" or "float" or "double" or "decimal" => TemplateInputType.Number,
        "boolean" or "bool" => TemplateInputType.Boolean,
        "array" or "list" => TemplateInputType.Array,
        "object" or "dict" or "dictionary" or "map" => TemplateInputType.Object,
        "thread" => TemplateInputType.Thread,
        "image" => TemplateInputType.Image,
        _ => null,
    };

    public static TemplateInputType InferType(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.TryGetInt64(out _) ? TemplateInputType.Integer : TemplateInputType.Number,
        JsonValueKind.True or JsonValueKind.False => TemplateInputType.Boolean,
        JsonValueKind.Array => TemplateInputType.Array,
        JsonValueKind.Object => TemplateInputType.Object,
        _ => TemplateInputType.String,
    };

    /// <summary>Reads <c>inputs</c>: a mapping of name to properties (or to a default value), or a list of properties with <c>name</c>.</summary>
    public List<TemplateInput> Inputs(YamlNode? node)
    {
        var inputs = new List<TemplateInput>();
        if (node is null || IsNull(node))
        {
            return inputs;
        }

        if (node is YamlMappingNode map)
        {
            foreach (var pair in map.Children)
            {
                string name = String(pair.Key, "inputs") ?? throw Error(pair.Key, "an input needs a name.");
                inputs.Add(Input(name, pair.Key, pair.Value));
            }
        }
        else if (node is YamlSequenceNode sequence)
        {
            foreach (var item in sequence.Children)
            {
                var properties = Map(item, "inputs[]");
                var nameNode = Get(properties, "name") ?? throw Error(item, "each input in the list needs a 'name'.");
                inputs.Add(Input(String(nameNode, "name")!, nameNode, item));
            }
        }
        else
        {
            throw Error(node, "'inputs' must be a mapping of input names or a list of inputs.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (!seen.Add(input.Name))
            {
                throw Error(node, $"input '{input.Name}' is declared twice.");
            }
        }

        return inputs;
    }

    private TemplateInput Input(string name, YamlNode nameNode, YamlNode node)
    {
        if (!IsInputName(name))
        {
            throw Error(nameNode, $"'{name}' is not a valid input name; use letters, digits, '_' and '-'.");
        }

        if (node is not YamlMappingNode properties || (Get(properties, "type", "kind", "description", "default", "required", "sample", "example", "enum", "allowedValues", "enumValues", "schema", "jsonSchema", "name") is null && properties.Children.Count > 0))
        {
            // A bare value is the input's default (Prompty v1: "lastName: Doe").
            var value = IsNull(node) ? (JsonElement?)null : ToJson(node);
            return new TemplateInput
            {
                Name = name,
                Type = value is { } v ? InferType(v) : TemplateInputType.String,
                Default = value,
                IsRequired = value is null,
            };
        }

        var typeNode = Get(properties, "type", "kind");
        TemplateInputType type = TemplateInputType.String;
        if (String(typeNode, $"inputs.{name}.type") is { } typeName)
        {
            type = ParseType(typeName) ?? throw Error(typeNode!, $"input '{name}' has the unknown type '{typeName}'; use string, integer, number, boolean, array, object, thread or image.");
        }

        var defaultNode = Get(properties, "default");
        JsonElement? fallback = defaultNode is null || IsNull(defaultNode) ? null : ToJson(defaultNode);
        if (typeNode is null && (fallback ?? (Get(properties, "sample", "example") is { } example && !IsNull(example) ? ToJson(example) : null)) is { } typed)
        {
            // No declared type: the default's (or the sample's) type.
            type = InferType(typed);
        }
        if (fallback is { } d && !TemplateValues.Matches(type, d))
        {
            throw Error(defaultNode!, $"the default of input '{name}' is {TemplateValues.Describe(d)}, but the input's type is {type.ToString().ToLowerInvariant()}.");
        }

        // An input's sample (v1 and v2) fills in when the caller gives no value and there is no default, unless the
        // input is declared required.
        var required = Bool(Get(properties, "required"), $"inputs.{name}.required");
        if (fallback is null && required != true && Get(properties, "sample", "example") is { } sampleNode && !IsNull(sampleNode) && ToJson(sampleNode) is var sample && TemplateValues.Matches(type, sample))
        {
            fallback = sample;
        }

        var schemaNode = Get(properties, "schema", "jsonSchema");
        return new TemplateInput
        {
            Name = name,
            Type = type,
            Description = String(Get(properties, "description"), $"inputs.{name}.description"),
            Default = fallback,
            IsRequired = required ?? fallback is null,
            AllowedValues = Strings(Get(properties, "allowedValues", "enum", "enumValues"), $"inputs.{name}.allowedValues"),
            JsonSchema = schemaNode is null || IsNull(schemaNode) ? null : ToJson(schemaNode),
        };
    }

    private static bool IsInputName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads <c>model</c>: a model id, or a mapping with the id (v2 <c>id</c>, v1 <c>configuration.azure_deployment</c> or <c>configuration.model</c>) and options (v2 <c>options</c>, v1 <c>parameters</c>, or flat).</summary>
    public TemplateModelHints? Model(YamlNode? node, List<string> tools)
    {
        if (node is null || IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return new TemplateModelHints { Model = scalar.Value };
        }

        var map = Map(node, "model");
        string? model = String(Get(map, "id", "model", "name", "deployment"), "model.id");
        if (Get(map, "configuration") is { } configurationNode && !IsNull(configurationNode))
        {
            var configuration = Map(configurationNode, "model.configuration");
            model ??= String(Get(configuration, "azure_deployment", "model", "name", "deployment"), "model.configuration.model");
        }

        var hints = ReadOptions(map, new TemplateModelHints { Model = model }, tools, "model");
        foreach (string key in new[] { "options", "parameters" })
        {
            if (Get(map, key) is { } optionsNode && !IsNull(optionsNode))
            {
                hints = ReadOptions(Map(optionsNode, $"model.{key}"), hints, tools, $"model.{key}");
                var extra = new Dictionary<string, object?>(hints.AdditionalProperties, StringComparer.Ordinal);
                foreach (var pair in ((YamlMappingNode)optionsNode).Children)
                {
                    string name = ((YamlScalarNode)pair.Key).Value ?? string.Empty;
                    if (!KnownOptions.Contains(name))
                    {
                        extra[name] = ToJson(pair.Value);
                    }
                }

                hints = hints with { AdditionalProperties = extra };
            }
        }

        if (Get(map, "additionalProperties") is YamlMappingNode additional)
        {
            var extra = new Dictionary<string, object?>(hints.AdditionalProperties, StringComparer.Ordinal);
            foreach (var pair in additional.Children)
            {
                extra[((YamlScalarNode)pair.Key).Value ?? string.Empty] = ToJson(pair.Value);
            }

            hints = hints with { AdditionalProperties = extra };
        }

        return hints;
    }

    private static readonly HashSet<string> KnownOptions = new(StringComparer.Ordinal)
    {
        "temperature", "top_p", "topP", "max_tokens", "max_completion_tokens", "maxOutputTokens", "maxTokens", "stop", "stopSequences",
        "frequency_penalty", "frequencyPenalty", "presence_penalty", "presencePenalty", "seed", "response_format", "responseFormat", "tools",
    };

    private TemplateModelHints ReadOptions(YamlMappingNode map, TemplateModelHints hints, List<string> tools, string where)
    {
        var stop = Get(map, "stop", "stopSequences");
        var format = Get(map, "response_format", "responseFormat");
        if (Get(map, "tools") is YamlSequenceNode toolList)
        {
            // v1: OpenAI function definitions under model.parameters.tools.
            foreach (var tool in toolList.Children)
            {
                if (tool is YamlMappingNode toolMap && (Get(toolMap, "function") is YamlMappingNode function ? Get(function, "name") : Get(toolMap, "name")) is { } toolName)
                {
                    tools.Add(String(toolName, $"{where}.tools[].name")!);
                }
            }
        }

        return hints with
        {
            Temperature = Float(Get(map, "temperature"), $"{where}.temperature") ?? hints.Temperature,
            TopP = Float(Get(map, "top_p", "topP"), $"{where}.topP") ?? hints.TopP,
            MaxOutputTokens = (int?)Long(Get(map, "max_tokens", "max_completion_tokens", "maxOutputTokens", "maxTokens"), $"{where}.maxOutputTokens") ?? hints.MaxOutputTokens,
            StopSequences = stop is null ? hints.StopSequences : Strings(stop, $"{where}.stopSequences"),
            FrequencyPenalty = Float(Get(map, "frequency_penalty", "frequencyPenalty"), $"{where}.frequencyPenalty") ?? hints.FrequencyPenalty,
            PresencePenalty = Float(Get(map, "presence_penalty", "presencePenalty"), $"{where}.presencePenalty") ?? hints.PresencePenalty,
            Seed = Long(Get(map, "seed"), $"{where}.seed") ?? hints.Seed,
            ResponseFormat = format is null ? hints.ResponseFormat : ResponseFormat(format, where),
        };
    }

    private string? ResponseFormat(YamlNode node, string where)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value switch
            {
                "text" or "json" => scalar.Value,
                "json_object" => "json",
                _ => throw Error(node, $"'{where}.responseFormat' must be text, json, or a JSON schema, not '{scalar.Value}'."),
            };
        }

        var map = Map(node, $"{where}.responseFormat");
        string? type = String(Get(map, "type"), $"{where}.responseFormat.type");
        return type switch
        {
            "text" => "text",
            "json_object" or "json" => "json",
            _ => ToJsonText(node), // a schema, or {type: json_schema, json_schema: {...}}
        };
    }

    /// <summary>Builds a JSON schema for the response from Prompty <c>outputs</c> (a mapping or a list of properties).</summary>
    public string? OutputsSchema(YamlNode? node)
    {
        if (node is null || IsNull(node))
        {
            return null;
        }

        var outputs = Inputs(node);
        if (outputs.Count == 0)
        {
            return null;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "object");
            writer.WriteStartObject("properties");
            foreach (var output in outputs)
            {
                writer.WriteStartObject(output.Name);
                writer.WriteString("type", output.Type.ToString().ToLowerInvariant());
                if (output.Description is { } description)
                {
                    writer.WriteString("description", description);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteStartArray("required");
            foreach (var output in outputs)
            {
                writer.WriteStringValue(output.Name);
            }

            writer.WriteEndArray();
            writer.WriteBoolean("additionalProperties", false);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
