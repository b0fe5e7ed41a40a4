using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Reads and writes a Microsoft.Extensions.AI type with <see cref="AIJsonUtilities.DefaultOptions"/>, whose
/// source-generated contract knows every <see cref="AIContent"/> type by its <c>$type</c> discriminator.
/// </summary>
/// <typeparam name="T">The Microsoft.Extensions.AI type.</typeparam>
internal sealed class AIJsonConverter<T> : JsonConverter<T>
    where T : class
{
    private static readonly JsonTypeInfo<T> TypeInfo = (JsonTypeInfo<T>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(T));

    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        try
        {
            return JsonSerializer.Deserialize(ref reader, TypeInfo);
        }
        catch (JsonException ex) when (ex.Path is not null)
        {
            // The nested call reports a path relative to this value; rethrow without a path so the outer
            // serializer fills in where the value is, and keep the inner one to append it.
            throw new JsonException(ex.Message, ex);
        }
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        => JsonSerializer.Serialize(writer, value, TypeInfo);
}
