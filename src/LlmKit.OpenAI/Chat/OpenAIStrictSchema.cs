using System.Text.Json;

namespace LlmKit;

/// <summary>
/// Rewrites a JSON Schema to the rules of OpenAI's strict <c>json_schema</c> mode: every object closed
/// (<c>additionalProperties: false</c>) with every property required, a property that was optional made nullable instead,
/// no <c>$schema</c>. What strict mode cannot express (a map, <c>patternProperties</c>, a root that is not an object) is a
/// <see cref="StructuredOutputSchemaException"/> before the request is sent, naming the place and the change to make.
/// </summary>
internal static class OpenAIStrictSchema
{
    public static void Write(Utf8JsonWriter w, JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object || !IsType(schema, "object"))
        {
            throw Unsupported("$", "the root is not an object; strict mode needs {\"type\":\"object\",...} at the root. Wrap the value in an object (GetResponseAsync<T> does this for non-object types)");
        }

        WriteNode(w, schema, "$", nullable: false);
    }

    private static void WriteNode(Utf8JsonWriter w, JsonElement node, string path, bool nullable)
    {
        if (node.ValueKind != JsonValueKind.Object)
        {
            if (nullable)
            {
                throw Unsupported(path, "a boolean schema cannot be made nullable; give the property a type");
            }

            node.WriteTo(w);
            return;
        }

        if (nullable && !node.TryGetProperty("type", out _))
        {
            w.WriteStartObject();
            w.WriteStartArray("anyOf"u8);
            WriteNode(w, node, path, nullable: false);
            w.WriteStartObject();
            w.WriteString("type"u8, "null"u8);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            return;
        }

        bool isObject = IsType(node, "object") || node.TryGetProperty("properties", out _);
        if (node.TryGetProperty("patternProperties", out _))
        {
            throw Unsupported(path, "'patternProperties' cannot be expressed in strict mode; list the properties by name");
        }

        if (isObject && node.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind is not JsonValueKind.False)
        {
            throw Unsupported(path, "an object open to other properties (a map or dictionary) cannot be expressed in strict mode; use an array of {key, value} objects or a class with named properties");
        }

        HashSet<string>? required = null;
        if (node.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array)
        {
            required = new HashSet<string>(StringComparer.Ordinal);
            foreach (var r in req.EnumerateArray())
            {
                if (r.GetString() is { } name)
                {
                    required.Add(name);
                }
            }
        }

        w.WriteStartObject();
        foreach (var property in node.EnumerateObject())
        {
            switch (property.Name)
            {
                case "$schema" or "required" or "additionalProperties":
                    break;
                case "type" when nullable:
                    w.WriteStartArray("type"u8);
                    bool hasNull = false;
                    foreach (var t in property.Value.ValueKind == JsonValueKind.Array ? property.Value.EnumerateArray() : Enumerable.Repeat(property.Value, 1))
                    {
                        hasNull |= t.ValueEquals("null"u8);
                        t.WriteTo(w);
                    }

                    if (!hasNull)
                    {
                        w.WriteStringValue("null"u8);
                    }

                    w.WriteEndArray();
                    break;
                case "enum" when nullable:
                    w.WriteStartArray("enum"u8);
                    bool enumHasNull = false;
                    foreach (var v in property.Value.EnumerateArray())
                    {
                        enumHasNull |= v.ValueKind == JsonValueKind.Null;
                        v.WriteTo(w);
                    }

                    if (!enumHasNull)
                    {
                        w.WriteNullValue();
                    }

                    w.WriteEndArray();
                    break;
                case "properties" when property.Value.ValueKind == JsonValueKind.Object:
                    w.WriteStartObject("properties"u8);
                    foreach (var p in property.Value.EnumerateObject())
                    {
                        w.WritePropertyName(p.Name);
                        WriteNode(w, p.Value, path + "." + p.Name, nullable: required is null || !required.Contains(p.Name));
                    }

                    w.WriteEndObject();
                    break;
                case "items" or "not" or "contains":
                    w.WritePropertyName(property.Name);
                    WriteNode(w, property.Value, path + "[]", nullable: false);
                    break;
                case "anyOf" or "oneOf" or "allOf" or "prefixItems" when property.Value.ValueKind == JsonValueKind.Array:
                    w.WriteStartArray(property.Name);
                    int i = 0;
                    foreach (var item in property.Value.EnumerateArray())
                    {
                        WriteNode(w, item, $"{path}.{property.Name}[{i++}]", nullable: false);
                    }

                    w.WriteEndArray();
                    break;
                case "$defs" or "definitions" when property.Value.ValueKind == JsonValueKind.Object:
                    w.WriteStartObject(property.Name);
                    foreach (var d in property.Value.EnumerateObject())
                    {
                        w.WritePropertyName(d.Name);
                        WriteNode(w, d.Value, $"{path}.{property.Name}.{d.Name}", nullable: false);
                    }

                    w.WriteEndObject();
                    break;
                default:
                    property.WriteTo(w);
                    break;
            }
        }

        if (isObject)
        {
            w.WriteBoolean("additionalProperties"u8, false);
            w.WriteStartArray("required"u8);
            if (node.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in props.EnumerateObject())
                {
                    w.WriteStringValue(p.Name);
                }
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static bool IsType(JsonElement node, string type)
    {
        if (!node.TryGetProperty("type", out var t))
        {
            return false;
        }

        if (t.ValueKind == JsonValueKind.String)
        {
            return t.ValueEquals(type);
        }

        if (t.ValueKind == JsonValueKind.Array)
        {
            foreach (var v in t.EnumerateArray())
            {
                if (v.ValueEquals(type))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static StructuredOutputSchemaException Unsupported(string path, string what) => new(
        $"OpenAI's strict json_schema mode cannot express the schema at {path}: {what}; or send it without strict mode (ChatOptions.AdditionalProperties[\"llmkit.strict_json_schema\"] = false).",
        [new StructuredOutputError(path, what)]);
}
