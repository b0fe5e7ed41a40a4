using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;

namespace LlmKit;

/// <summary>
/// Writes a <see cref="CachedChatEntry"/> for the second-level cache (Redis, SQLite) as JSON, with the response or chunks in
/// Microsoft.Extensions.AI's own JSON shape; an entry that cannot be read (another version's) is a miss, never an error.
/// </summary>
internal sealed class CachedChatEntrySerializer : IHybridCacheSerializer<CachedChatEntry>
{
    private const int FormatVersion = 1;

    public CachedChatEntry Deserialize(ReadOnlySequence<byte> source)
    {
        var reader = new Utf8JsonReader(source);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (!root.TryGetProperty("v", out var version) || version.GetInt32() != FormatVersion)
        {
            throw new JsonException($"Not a version {FormatVersion} LlmKit response cache entry.");
        }

        var options = AIJsonUtilities.DefaultOptions;
        ChatResponse? response = root.TryGetProperty("response", out var r) ? r.Deserialize((System.Text.Json.Serialization.Metadata.JsonTypeInfo<ChatResponse>)options.GetTypeInfo(typeof(ChatResponse))) : null;
        List<ChatResponseUpdate>? updates = null;
        if (root.TryGetProperty("updates", out var u))
        {
            var info = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<ChatResponseUpdate>)options.GetTypeInfo(typeof(ChatResponseUpdate));
            updates = new List<ChatResponseUpdate>(u.GetArrayLength());
            foreach (var item in u.EnumerateArray())
            {
                updates.Add(item.Deserialize(info) ?? throw new JsonException("A stored chunk is null."));
            }
        }

        if (response is null && updates is null)
        {
            throw new JsonException("A response cache entry holds neither a response nor chunks.");
        }

        return new CachedChatEntry(
            response,
            updates,
            root.GetProperty("createdAt").GetDateTimeOffset(),
            root.GetProperty("expiresAt").GetDateTimeOffset(),
            Text(root, "provider"),
            Text(root, "deployment"),
            Text(root, "responseModel"),
            root.TryGetProperty("costUsd", out var cost) && cost.ValueKind == JsonValueKind.Number ? cost.GetDecimal() : null);
    }

    public void Serialize(CachedChatEntry value, IBufferWriter<byte> target)
    {
        var options = AIJsonUtilities.DefaultOptions;
        using var writer = new Utf8JsonWriter(target);
        writer.WriteStartObject();
        writer.WriteNumber("v", FormatVersion);
        writer.WriteString("createdAt", value.CreatedAt);
        writer.WriteString("expiresAt", value.ExpiresAt);
        WriteText(writer, "provider", value.Provider);
        WriteText(writer, "deployment", value.Deployment);
        WriteText(writer, "responseModel", value.ResponseModel);
        if (value.CostUsd is { } cost)
        {
            writer.WriteNumber("costUsd", cost);
        }

        if (value.Response is { } response)
        {
            writer.WritePropertyName("response");
            JsonSerializer.Serialize(writer, response, options.GetTypeInfo(typeof(ChatResponse)));
        }

        if (value.Updates is { } updates)
        {
            var info = options.GetTypeInfo(typeof(ChatResponseUpdate));
            writer.WriteStartArray("updates");
            foreach (var update in updates)
            {
                JsonSerializer.Serialize(writer, update, info);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static string? Text(JsonElement root, string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void WriteText(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
