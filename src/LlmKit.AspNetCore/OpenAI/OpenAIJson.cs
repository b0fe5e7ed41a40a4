using System.Globalization;
using System.Text.Json;

namespace LlmKit.AspNetCore.OpenAI;

/// <summary>Typed reads of request fields that answer a wrong type with OpenAI's <c>invalid_type</c> error.</summary>
internal static class OpenAIJson
{
    public static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        return false;
    }

    public static string? String(JsonElement obj, string name, string param)
    {
        if (!TryGet(obj, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Fail(OpenAIError.InvalidType(param, "a string", value));
    }

    public static string RequiredString(JsonElement obj, string name, string param)
        => String(obj, name, param) ?? throw Fail(OpenAIError.BadRequest($"Missing required parameter: '{param}'.", param, "missing_required_parameter"));

    public static bool? Bool(JsonElement obj, string name, string param)
    {
        if (!TryGet(obj, name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Fail(OpenAIError.InvalidType(param, "a boolean", value)),
        };
    }

    public static double? Number(JsonElement obj, string name, string param, double min, double max)
    {
        if (!TryGet(obj, name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double number))
        {
            throw Fail(OpenAIError.InvalidType(param, "a decimal", value));
        }

        if (number < min || number > max)
        {
            throw Fail(OpenAIError.BadRequest(
                string.Create(CultureInfo.InvariantCulture, $"Invalid '{param}': {number} is out of range; it must be between {min} and {max}."),
                param,
                "decimal_out_of_range"));
        }

        return number;
    }

    public static long? Integer(JsonElement obj, string name, string param, long min = long.MinValue)
    {
        if (!TryGet(obj, name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long number))
        {
            throw Fail(OpenAIError.InvalidType(param, "an integer", value));
        }

        if (number < min)
        {
            throw Fail(OpenAIError.BadRequest(
                string.Create(CultureInfo.InvariantCulture, $"Invalid '{param}': integer below minimum value. Expected a value >= {min}, but got {number} instead."),
                param,
                "integer_below_min_value"));
        }

        return number;
    }

    public static JsonElement? Object(JsonElement obj, string name, string param)
    {
        if (!TryGet(obj, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object ? value : throw Fail(OpenAIError.InvalidType(param, "an object", value));
    }

    public static JsonElement? Array(JsonElement obj, string name, string param)
    {
        if (!TryGet(obj, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Array ? value : throw Fail(OpenAIError.InvalidType(param, "an array", value));
    }

    public static OpenAIRequestException Fail(OpenAIError error) => new(error);

    public static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 128 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw Fail(OpenAIError.BadRequest("The request body must be a JSON object.", null, "invalid_json"));
            }

            return document;
        }
        catch (JsonException ex)
        {
            throw Fail(OpenAIError.BadRequest(
                $"We could not parse the JSON body of your request: {ex.Message} Send a JSON object with Content-Type: application/json.",
                null,
                "invalid_json"));
        }
    }
}
