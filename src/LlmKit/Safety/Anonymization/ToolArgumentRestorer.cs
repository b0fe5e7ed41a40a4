using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Restores the values the input guard anonymised in a model's tool-call arguments, whatever shape the provider's parser
/// gave them: strings, <see cref="JsonElement"/> (any depth), <see cref="JsonNode"/>, dictionaries and lists. Values
/// without a surrogate are left as they are (the same instance).
/// </summary>
internal static class ToolArgumentRestorer
{
    public static void Restore(FunctionCallContent call, PiiSurrogateMap map)
    {
        if (call.Arguments is not { Count: > 0 } arguments)
        {
            return;
        }

        foreach (var key in arguments.Keys.ToArray())
        {
            var value = arguments[key];
            var restored = RestoreValue(value, map);
            if (!ReferenceEquals(restored, value))
            {
                arguments[key] = restored;
            }
        }
    }

    private static object? RestoreValue(object? value, PiiSurrogateMap map)
    {
        switch (value)
        {
            case string s:
                string text = map.Restore(s);
                return ReferenceEquals(text, s) ? value : text;
            case JsonElement element:
                return HasSurrogateText(element, map) ? ToElement(RestoreNode(JsonNode.Parse(element.GetRawText()), map)) : value;
            case JsonNode node:
                return RestoreNode(node, map);
            case IDictionary<string, object?> dictionary:
                foreach (var key in dictionary.Keys.ToArray())
                {
                    var item = dictionary[key];
                    var restored = RestoreValue(item, map);
                    if (!ReferenceEquals(restored, item))
                    {
                        dictionary[key] = restored;
                    }
                }

                return value;
            case IList<object?> list when !list.IsReadOnly:
                for (int i = 0; i < list.Count; i++)
                {
                    var item = list[i];
                    var restored = RestoreValue(item, map);
                    if (!ReferenceEquals(restored, item))
                    {
                        list[i] = restored;
                    }
                }

                return value;
            case object?[] array:
                for (int i = 0; i < array.Length; i++)
                {
                    array[i] = RestoreValue(array[i], map);
                }

                return value;
            default:
                return value;
        }
    }

    private static JsonNode? RestoreNode(JsonNode? node, PiiSurrogateMap map)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToArray())
                {
                    var restored = RestoreNode(child, map);
                    if (!ReferenceEquals(restored, child))
                    {
                        obj[key] = restored;
                    }
                }

                return node;
            case JsonArray array:
                for (int i = 0; i < array.Count; i++)
                {
                    var child = array[i];
                    var restored = RestoreNode(child, map);
                    if (!ReferenceEquals(restored, child))
                    {
                        array[i] = restored;
                    }
                }

                return node;
            case JsonValue leaf when leaf.GetValueKind() == JsonValueKind.String:
                string s = leaf.GetValue<string>();
                string text = map.Restore(s);
                return ReferenceEquals(text, s) ? node : JsonValue.Create(text);
            default:
                return node;
        }
    }

    private static JsonElement ToElement(JsonNode? node)
    {
        using var document = JsonDocument.Parse(node?.ToJsonString() ?? "null");
        return document.RootElement.Clone();
    }

    private static bool HasSurrogateText(JsonElement element, PiiSurrogateMap map)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                string s = element.GetString()!;
                return !ReferenceEquals(map.Restore(s), s);
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (HasSurrogateText(property.Value, map))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (HasSurrogateText(item, map))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// Returns <paramref name="value"/> with every string in it (at any depth) replaced by <paramref name="map"/>'s answer,
    /// as a new value when something changed (the original is never modified), else the same instance.
    /// </summary>
    public static async ValueTask<object?> MapStringsAsync(object? value, Func<string, ValueTask<string>> map)
    {
        switch (value)
        {
            case string s:
                string text = await map(s).ConfigureAwait(false);
                return string.Equals(text, s, StringComparison.Ordinal) ? value : text;
            case JsonElement element when element.ValueKind is JsonValueKind.String or JsonValueKind.Object or JsonValueKind.Array:
                var node = JsonNode.Parse(element.GetRawText());
                var mapped = await MapNodeAsync(node, map).ConfigureAwait(false);
                return mapped.Changed ? ToElement(mapped.Node) : value;
            case JsonNode jsonNode:
                var copy = jsonNode.DeepClone();
                var result = await MapNodeAsync(copy, map).ConfigureAwait(false);
                return result.Changed ? result.Node : value;
            case IDictionary<string, object?> dictionary:
                Dictionary<string, object?>? changed = null;
                foreach (var (key, item) in dictionary)
                {
                    var mappedItem = await MapStringsAsync(item, map).ConfigureAwait(false);
                    if (!ReferenceEquals(mappedItem, item))
                    {
                        changed ??= new Dictionary<string, object?>(dictionary, StringComparer.Ordinal);
                        changed[key] = mappedItem;
                    }
                }

                return changed ?? value;
            case IEnumerable<object?> items:
                List<object?> list = [.. items];
                bool any = false;
                for (int i = 0; i < list.Count; i++)
                {
                    var mappedItem = await MapStringsAsync(list[i], map).ConfigureAwait(false);
                    any |= !ReferenceEquals(mappedItem, list[i]);
                    list[i] = mappedItem;
                }

                return any ? list : value;
            default:
                return value;
        }
    }

    private static async ValueTask<(JsonNode? Node, bool Changed)> MapNodeAsync(JsonNode? node, Func<string, ValueTask<string>> map)
    {
        switch (node)
        {
            case JsonObject obj:
            {
                bool changed = false;
                foreach (var (key, child) in obj.ToArray())
                {
                    var (mapped, childChanged) = await MapNodeAsync(child, map).ConfigureAwait(false);
                    if (childChanged)
                    {
                        obj[key] = mapped;
                        changed = true;
                    }
                }

                return (node, changed);
            }

            case JsonArray array:
            {
                bool changed = false;
                for (int i = 0; i < array.Count; i++)
                {
                    var (mapped, childChanged) = await MapNodeAsync(array[i], map).ConfigureAwait(false);
                    if (childChanged)
                    {
                        array[i] = mapped;
                        changed = true;
                    }
                }

                return (node, changed);
            }

            case JsonValue leaf when leaf.GetValueKind() == JsonValueKind.String:
                string s = leaf.GetValue<string>();
                string text = await map(s).ConfigureAwait(false);
                return string.Equals(text, s, StringComparison.Ordinal) ? (node, false) : (JsonValue.Create(text), true);
            default:
                return (node, false);
        }
    }
}
