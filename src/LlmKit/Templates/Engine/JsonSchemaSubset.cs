using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LlmKit;

/// <summary>
/// Checks a JSON value against the commonly used subset of JSON Schema: <c>type</c> (one or a list),
/// <c>enum</c>, <c>const</c>, <c>properties</c>, <c>required</c>, <c>additionalProperties</c> (false or a
/// schema), <c>items</c>, <c>minItems</c>, <c>maxItems</c>, <c>minLength</c>, <c>maxLength</c>,
/// <c>pattern</c>, <c>minimum</c>, <c>maximum</c>, <c>exclusiveMinimum</c> and <c>exclusiveMaximum</c>.
/// Other keywords are ignored.
/// </summary>
internal static class JsonSchemaSubset
{
    public static void Validate(JsonElement schema, JsonElement value, string path, List<string> problems)
    {
        if (schema.ValueKind == JsonValueKind.False)
        {
            problems.Add($"{path} is not allowed");
            return;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (schema.TryGetProperty("type", out var type) && !TypeMatches(type, value))
        {
            problems.Add($"{path} must be {(type.ValueKind == JsonValueKind.Array ? "one of " + type.GetRawText() : type.GetString())}, not {Kind(value)}");
            return;
        }

        if (schema.TryGetProperty("enum", out var allowed) && allowed.ValueKind == JsonValueKind.Array)
        {
            bool any = false;
            foreach (var option in allowed.EnumerateArray())
            {
                any |= JsonElement.DeepEquals(option, value);
            }

            if (!any)
            {
                problems.Add($"{path} must be one of {allowed.GetRawText()}");
            }
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            problems.Add($"{path} must be {constant.GetRawText()}");
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                ValidateObject(schema, value, path, problems);
                break;
            case JsonValueKind.Array:
                int length = value.GetArrayLength();
                if (schema.TryGetProperty("minItems", out var minItems) && length < minItems.GetInt32())
                {
                    problems.Add($"{path} needs at least {minItems.GetInt32()} items, has {length}");
                }

                if (schema.TryGetProperty("maxItems", out var maxItems) && length > maxItems.GetInt32())
                {
                    problems.Add($"{path} allows at most {maxItems.GetInt32()} items, has {length}");
                }

                if (schema.TryGetProperty("items", out var items))
                {
                    int index = 0;
                    foreach (var item in value.EnumerateArray())
                    {
                        Validate(items, item, $"{path}[{index++}]", problems);
                    }
                }

                break;
            case JsonValueKind.String:
                string text = value.GetString()!;
                if (schema.TryGetProperty("minLength", out var minLength) && text.Length < minLength.GetInt32())
                {
                    problems.Add($"{path} needs at least {minLength.GetInt32()} characters");
                }

                if (schema.TryGetProperty("maxLength", out var maxLength) && text.Length > maxLength.GetInt32())
                {
                    problems.Add($"{path} allows at most {maxLength.GetInt32()} characters");
                }

                if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1)))
                {
                    problems.Add($"{path} must match the pattern {pattern.GetString()}");
                }

                break;
            case JsonValueKind.Number:
                double number = value.GetDouble();
                Bound(schema, "minimum", path, problems, limit => number >= limit, ">=");
                Bound(schema, "maximum", path, problems, limit => number <= limit, "<=");
                Bound(schema, "exclusiveMinimum", path, problems, limit => number > limit, ">");
                Bound(schema, "exclusiveMaximum", path, problems, limit => number < limit, "<");
                break;
            default:
                break;
        }
    }

    private static void ValidateObject(JsonElement schema, JsonElement value, string path, List<string> problems)
    {
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String && !value.TryGetProperty(name.GetString()!, out _))
                {
                    problems.Add($"{path} is missing the required property '{name.GetString()}'");
                }
            }
        }

        bool hasProperties = schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object;
        bool hasAdditional = schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var property in value.EnumerateObject())
        {
            if (hasProperties && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                Validate(propertySchema, property.Value, $"{path}.{property.Name}", problems);
            }
            else if (hasAdditional)
            {
                Validate(additional, property.Value, $"{path}.{property.Name}", problems);
            }
        }
    }

    private static void Bound(JsonElement schema, string keyword, string path, List<string> problems, Func<double, bool> holds, string op)
    {
        if (schema.TryGetProperty(keyword, out var limit) && limit.ValueKind == JsonValueKind.Number && !holds(limit.GetDouble()))
        {
            problems.Add($"{path} must be {op} {limit.GetDouble().ToString(CultureInfo.InvariantCulture)}");
        }
    }

    private static bool TypeMatches(JsonElement type, JsonElement value)
    {
        if (type.ValueKind == JsonValueKind.Array)
        {
            foreach (var option in type.EnumerateArray())
            {
                if (TypeMatches(option, value))
                {
                    return true;
                }
            }

            return false;
        }

        return type.GetString() switch
        {
            "string" => value.ValueKind == JsonValueKind.String,
            "number" => value.ValueKind == JsonValueKind.Number,
            "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double d) && Math.Floor(d) == d,
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "array" => value.ValueKind == JsonValueKind.Array,
            "object" => value.ValueKind == JsonValueKind.Object,
            "null" => value.ValueKind == JsonValueKind.Null,
            _ => true,
        };
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };
}
