using System.Buffers;
using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>Small JSON helpers shared by the request writers.</summary>
internal static class GeminiJson
{
    /// <summary>Writes any value as JSON (see <see cref="JsonValueWriter"/>), the rest with MEAI's JSON contracts.</summary>
    public static void WriteValue(Utf8JsonWriter w, object? value) => JsonValueWriter.Write(w, value, AIJsonUtilities.DefaultOptions);

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
