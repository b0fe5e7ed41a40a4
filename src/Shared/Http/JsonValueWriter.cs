using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmKit.Http;

/// <summary>Writes an arbitrary value as JSON: the common shapes by hand, anything else through the serializer.</summary>
internal static class JsonValueWriter
{
    /// <summary>
    /// Writes <paramref name="value"/>: primitives directly, JSON elements, documents and nodes as they are (an
    /// undefined element as <c>null</c>), string-keyed pairs as an object, other sequences as an array, and the rest
    /// (byte arrays included, as base64) with <paramref name="options"/>.
    /// </summary>
    public static void Write(Utf8JsonWriter writer, object? value, JsonSerializerOptions options)
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
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case float f:
                writer.WriteNumberValue(f);
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case JsonElement element:
                if (element.ValueKind == JsonValueKind.Undefined)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    element.WriteTo(writer);
                }

                break;
            case JsonDocument document:
                document.WriteTo(writer);
                break;
            case JsonNode node:
                node.WriteTo(writer);
                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                writer.WriteStartObject();
                foreach (var (key, item) in pairs)
                {
                    writer.WritePropertyName(key);
                    Write(writer, item, options);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable<KeyValuePair<string, string>> stringPairs:
                writer.WriteStartObject();
                foreach (var (key, item) in stringPairs)
                {
                    writer.WriteString(key, item);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items when value is not IDictionary and not byte[]:
                writer.WriteStartArray();
                foreach (object? item in items)
                {
                    Write(writer, item, options);
                }

                writer.WriteEndArray();
                break;
            default:
                JsonSerializer.Serialize(writer, value, options.GetTypeInfo(value.GetType()));
                break;
        }
    }
}
