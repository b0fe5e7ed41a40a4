using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace LlmKit;

/// <summary>
/// Writes a record as a row (key text, data JSON by storage name, vectors blob, full-text) and reads it back. The blob
/// holds each vector property in order: an int32 length (-1 for none), then the float32 values, little-endian.
/// </summary>
internal sealed class VectorRecordCodec<TRecord>(CollectionModel model)
    where TRecord : class
{
    public static string KeyText(object key) => key switch
    {
        string s => s,
        Guid g => g.ToString("D"),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => key.ToString() ?? throw new ArgumentException("A record key must not be null."),
    };

    public object ParseKey(string text)
    {
        Type type = Nullable.GetUnderlyingType(model.KeyProperty.Type) ?? model.KeyProperty.Type;
        return type == typeof(string) || type == typeof(object) ? text
            : type == typeof(Guid) ? Guid.Parse(text)
            : type == typeof(int) ? int.Parse(text, CultureInfo.InvariantCulture)
            : type == typeof(long) ? long.Parse(text, CultureInfo.InvariantCulture)
            : throw new NotSupportedException($"Key type {type.Name} is not supported by the SQLite vector store; use string, Guid, int or long.");
    }

    public string Data(TRecord record)
    {
        var data = new JsonObject();
        foreach (var property in model.DataProperties)
        {
            data[property.StorageName] = JsonSerializer.SerializeToNode(property.GetValueAsObject(record), property.Type);
        }

        return data.ToJsonString();
    }

    public string FullText(TRecord record) => string.Join("\n", model.DataProperties
        .Where(p => p.IsFullTextIndexed)
        .Select(p => p.GetValueAsObject(record) as string)
        .Where(s => !string.IsNullOrEmpty(s)));

    public static byte[] Vectors(float[]?[] vectors)
    {
        int size = vectors.Sum(v => 4 + ((v?.Length ?? 0) * 4));
        var blob = new byte[size];
        int offset = 0;
        foreach (float[]? vector in vectors)
        {
            BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(offset), vector?.Length ?? -1);
            offset += 4;
            if (vector is not null)
            {
                MemoryMarshal.AsBytes(vector.AsSpan()).CopyTo(blob.AsSpan(offset));
                offset += vector.Length * 4;
            }
        }

        return blob;
    }

    public TRecord Read(string key, string json, byte[] blob)
    {
        TRecord record = model.CreateRecord<TRecord>();
        model.KeyProperty.SetValueAsObject(record, ParseKey(key));
        using (JsonDocument document = JsonDocument.Parse(json))
        {
            foreach (var property in model.DataProperties)
            {
                if (document.RootElement.TryGetProperty(property.StorageName, out JsonElement value))
                {
                    property.SetValueAsObject(record, value.Deserialize(property.Type));
                }
            }
        }

        int offset = 0;
        foreach (var property in model.VectorProperties)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(blob.AsSpan(offset));
            offset += 4;
            if (length < 0)
            {
                continue;
            }

            float[] vector = MemoryMarshal.Cast<byte, float>(blob.AsSpan(offset, length * 4)).ToArray();
            offset += length * 4;
            Type type = Nullable.GetUnderlyingType(property.Type) ?? property.Type;
            property.SetValueAsObject(record, type == typeof(float[]) ? vector : type == typeof(Embedding<float>) ? new Embedding<float>(vector) : new ReadOnlyMemory<float>(vector));
        }

        return record;
    }
}
