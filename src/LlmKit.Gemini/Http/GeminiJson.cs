using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>Small JSON helpers shared by the request writers.</summary>
internal static class GeminiJson
{
    /// <summary>Writes any value: JSON elements as they are, primitives directly, the rest with MEAI's JSON contracts.</summary>
    public static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null:
                w.WriteNullValue();
                break;
            case JsonElement element:
                element.WriteTo(w);
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case int i:
                w.WriteNumberValue(i);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case double d:
                w.WriteNumberValue(d);
                break;
            case float f:
                w.WriteNumberValue(f);
                break;
            case decimal m:
                w.WriteNumberValue(m);
                break;
            case System.Text.Json.Nodes.JsonNode node:
                node.WriteTo(w);
                break;
            case IDictionary<string, object?> dictionary:
                w.WriteStartObject();
                foreach (var (key, item) in dictionary)
                {
                    w.WritePropertyName(key);
                    WriteValue(w, item);
                }

                w.WriteEndObject();
                break;
            default:
                JsonSerializer.Serialize(w, value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()));
                break;
        }
    }

    /// <summary>Serialises a value of any type with MEAI's JSON contracts into <paramref name="output"/>.</summary>
    public static void Serialize(IBufferWriter<byte> output, object value)
    {
        using var writer = new Utf8JsonWriter(output);
        WriteValue(writer, value);
    }

    /// <summary>Converts a value of any type to a <see cref="JsonElement"/> with MEAI's JSON contracts.</summary>
    public static JsonElement ToElement(object value)
        => value as JsonElement? ?? JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()));

    /// <summary>Writes a JSON schema object without its <c>$schema</c> keyword, which Gemini does not take.</summary>
    public static void WriteSchema(Utf8JsonWriter w, JsonElement schema)
    {
        w.WriteStartObject();
        foreach (var property in schema.EnumerateObject())
        {
            if (property.NameEquals("$schema"u8))
            {
                continue;
            }

            property.WriteTo(w);
        }

        w.WriteEndObject();
    }
}
