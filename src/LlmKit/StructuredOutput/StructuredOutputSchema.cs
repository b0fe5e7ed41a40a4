using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// A JSON Schema ready to validate structured answers with JsonSchema.Net: made from a .NET type (descriptions, required
/// members, enums, ranges, patterns and lengths from data annotations, through <see cref="AIJsonUtilities.CreateJsonSchema"/>)
/// or from JSON Schema text, which is first checked against its meta-schema. Instances are immutable and thread-safe; the
/// schema of a type is made once and cached.
/// </summary>
public sealed class StructuredOutputSchema
{
    /// <summary>
    /// Close to the options Microsoft.Extensions.AI's <c>GetResponseAsync&lt;T&gt;</c> uses, except that only the members the
    /// type requires are required: the serializer leaves out null members (<see cref="AIJsonUtilities.DefaultOptions"/>),
    /// so requiring every member would reject the type's own JSON. Strict provider modes get the all-required form from
    /// their request writer.
    /// </summary>
    internal static readonly AIJsonSchemaCreateOptions TypeSchemaOptions = new()
    {
        IncludeSchemaKeyword = true,
        TransformOptions = new AIJsonSchemaTransformOptions
        {
            DisallowAdditionalProperties = true,
            MoveDefaultKeywordToDescription = true,
        },
    };

    private static readonly ConcurrentDictionary<(Type, JsonSerializerOptions), StructuredOutputSchema> TypeSchemas = new();
    private static readonly EvaluationOptions FlagOnly = new() { OutputFormat = OutputFormat.Flag };
    private static readonly EvaluationOptions Listed = new() { OutputFormat = OutputFormat.List };
    private readonly JsonSchema _validator;

    private StructuredOutputSchema(JsonElement json, JsonSchema validator, Type? type)
    {
        Json = json;
        _validator = validator;
        Type = type;
    }

    /// <summary>Gets the schema as JSON.</summary>
    public JsonElement Json { get; }

    /// <summary>Gets the .NET type the schema was made from, or <see langword="null"/> for a schema given as JSON.</summary>
    public Type? Type { get; }

    /// <summary>Gets whether the schema describes a JSON object at its root (providers' strict modes need one).</summary>
    public bool IsObject => Json.ValueKind == JsonValueKind.Object
        && Json.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("object"u8);

    /// <summary>Returns the schema of <typeparamref name="T"/>, made once per type and serializer options.</summary>
    /// <typeparam name="T">The type of the structured answer.</typeparam>
    /// <param name="serializerOptions">The serializer options that name and shape the members; <see langword="null"/> uses <see cref="AIJsonUtilities.DefaultOptions"/>.</param>
    /// <returns>The schema.</returns>
    /// <exception cref="StructuredOutputSchemaException">The type cannot be described by a schema (an open generic, an interface or abstract class without polymorphism, a cycle too deep).</exception>
    public static StructuredOutputSchema For<T>(JsonSerializerOptions? serializerOptions = null) => For(typeof(T), serializerOptions);

    /// <summary>Returns the schema of <paramref name="type"/>, made once per type and serializer options.</summary>
    /// <param name="type">The type of the structured answer.</param>
    /// <param name="serializerOptions">The serializer options that name and shape the members; <see langword="null"/> uses <see cref="AIJsonUtilities.DefaultOptions"/>.</param>
    /// <returns>The schema.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="type"/> is <see langword="null"/>.</exception>
    /// <exception cref="StructuredOutputSchemaException">The type cannot be described by a schema.</exception>
    public static StructuredOutputSchema For(Type type, JsonSerializerOptions? serializerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        serializerOptions ??= AIJsonUtilities.DefaultOptions;
        return TypeSchemas.TryGetValue((type, serializerOptions), out var cached)
            ? cached
            : TypeSchemas.GetOrAdd((type, serializerOptions), static key => Create(key.Item1, key.Item2));
    }

    /// <summary>Reads a JSON Schema given as text (such as the contents of <c>schema.json</c>) and checks it against its meta-schema.</summary>
    /// <param name="json">The schema.</param>
    /// <returns>The schema.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
    /// <exception cref="StructuredOutputSchemaException">The text is not JSON (with its line and position) or not a valid JSON Schema (each error with its location in the schema).</exception>
    public static StructuredOutputSchema FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonElement element;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false });
            element = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            var error = new StructuredOutputError("$", ex.Message) { Line = (int)(ex.LineNumber ?? 0) + 1, Column = (int)(ex.BytePositionInLine ?? 0) + 1 };
            throw new StructuredOutputSchemaException($"The JSON Schema is not valid JSON: {error}. Fix the schema text.", [error]);
        }

        return FromJson(element);
    }

    /// <summary>Wraps a JSON Schema given as JSON and checks it against its meta-schema.</summary>
    /// <param name="schema">The schema (an object or a boolean).</param>
    /// <returns>The schema.</returns>
    /// <exception cref="StructuredOutputSchemaException">The value is not a valid JSON Schema (each error with its location in the schema).</exception>
    public static StructuredOutputSchema FromJson(JsonElement schema)
    {
        if (schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            throw new StructuredOutputSchemaException(
                $"A JSON Schema is an object or a boolean, not {schema.ValueKind}. Give the schema object (such as {{\"type\":\"object\",\"properties\":{{...}}}}).",
                [new StructuredOutputError("$", $"must be an object or a boolean, not {schema.ValueKind}")]);
        }

        var metaErrors = MetaSchemaErrors(schema);
        if (metaErrors.Count > 0)
        {
            throw new StructuredOutputSchemaException(
                $"The JSON Schema is not valid: {string.Join("; ", metaErrors)}. Fix the schema at the locations given.", metaErrors);
        }

        return new StructuredOutputSchema(schema.Clone(), Build(schema), type: null);
    }

    /// <summary>Validates a value against the full schema.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Every error with its JSON path and message; empty when the value is valid.</returns>
    public IReadOnlyList<StructuredOutputError> Validate(JsonElement value)
    {
        if (_validator.Evaluate(value, FlagOnly).IsValid)
        {
            return [];
        }

        return Errors(_validator.Evaluate(value, Listed));
    }

    /// <summary>Returns whether a value matches the schema, without listing errors.</summary>
    internal bool IsValid(JsonElement value) => _validator.Evaluate(value, FlagOnly).IsValid;

    private static StructuredOutputSchema Create(Type type, JsonSerializerOptions serializerOptions)
    {
        if (type.ContainsGenericParameters)
        {
            throw new StructuredOutputSchemaException(
                $"The type '{type}' is an open generic and has no JSON Schema. Close it (for example List<Invoice> rather than List<T>).");
        }

        if ((type.IsInterface || type.IsAbstract) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type)
            && type.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonDerivedTypeAttribute), inherit: false).Length == 0)
        {
            throw new StructuredOutputSchemaException(
                $"The type '{type}' is an interface or abstract class without [JsonDerivedType] attributes, so an answer cannot be read into it. Use a concrete class or record, or declare its derived types.");
        }

        JsonElement json;
        try
        {
            json = AIJsonUtilities.CreateJsonSchema(type, serializerOptions: serializerOptions, inferenceOptions: TypeSchemaOptions);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new StructuredOutputSchemaException(
                $"The type '{type}' cannot be described by a JSON Schema: {ex.Message} Simplify the type (no cycles deeper than the serializer's MaxDepth, no members the serializer cannot write) or give the schema as JSON.",
                ex);
        }

        return new StructuredOutputSchema(json, Build(json), type);
    }

    private static JsonSchema Build(JsonElement schema)
    {
        try
        {
            // A registry per schema: two schemas with the same $id must not meet in the global one.
            return JsonSchema.Build(schema, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        }
        catch (Exception ex) when (ex is JsonSchemaException or RefResolutionException or ArgumentException or InvalidOperationException)
        {
            throw new StructuredOutputSchemaException($"The JSON Schema cannot be used: {ex.Message} Fix the schema.", ex);
        }
    }

    private static List<StructuredOutputError> MetaSchemaErrors(JsonElement schema)
    {
        var results = MetaSchema.Value.Evaluate(schema, Listed);
        return results.IsValid ? [] : Errors(results);
    }

    private static readonly Lazy<JsonSchema> MetaSchema = new(() => MetaSchemas.Draft202012);

    private static List<StructuredOutputError> Errors(EvaluationResults results)
    {
        var errors = new List<StructuredOutputError>();
        Collect(results, errors);
        if (errors.Count == 0)
        {
            errors.Add(new StructuredOutputError("$", "does not match the schema"));
        }

        return errors;
    }

    private static void Collect(EvaluationResults results, List<StructuredOutputError> errors)
    {
        if (results.Errors is { Count: > 0 } messages)
        {
            string path = StructuredOutputPaths.FromPointer(results.InstanceLocation.ToString());
            foreach (var (_, message) in messages)
            {
                errors.Add(new StructuredOutputError(path, message));
            }
        }

        if (results.Details is { Count: > 0 } details)
        {
            foreach (var detail in details)
            {
                Collect(detail, errors);
            }
        }
    }
}
