using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// A message as the in-memory store keeps it: normalised once through Microsoft.Extensions.AI JSON (so values are
/// <see cref="JsonElement"/>s, as a durable store returns them), and copied on every read. Messages holding only
/// text, reasoning, tool calls, tool results and usage are copied member by member; any other content is read
/// back from its JSON.
/// </summary>
internal sealed class StoredChatMessage
{
    private static readonly JsonTypeInfo<ChatMessage> s_typeInfo = (JsonTypeInfo<ChatMessage>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage));

    private readonly ChatMessage? _normalized;
    private readonly byte[]? _json;

    private StoredChatMessage(ChatMessage? normalized, byte[]? json)
    {
        _normalized = normalized;
        _json = json;
    }

    public static StoredChatMessage Create(ChatMessage message)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(message, s_typeInfo);
        var normalized = JsonSerializer.Deserialize(json, s_typeInfo)!;
        return CanCopy(normalized) ? new StoredChatMessage(normalized, null) : new StoredChatMessage(null, json);
    }

    public ChatMessage Read() => _normalized is { } message ? Copy(message) : JsonSerializer.Deserialize(_json, s_typeInfo)!;

    private static bool CanCopy(ChatMessage message)
    {
        if (!PlainValues(message.AdditionalProperties))
        {
            return false;
        }

        foreach (var content in message.Contents)
        {
            bool known = content switch
            {
                TextContent or TextReasoningContent or UsageContent => true,
                FunctionCallContent call => call.Arguments is null || PlainValues(call.Arguments),
                FunctionResultContent result => PlainValue(result.Result),
                _ => false,
            };
            if (!known || content.RawRepresentation is not null || content.Annotations is { Count: > 0 } || !PlainValues(content.AdditionalProperties))
            {
                return false;
            }
        }

        return true;
    }

    private static bool PlainValues(IEnumerable<KeyValuePair<string, object?>>? values)
    {
        if (values is not null)
        {
            foreach (var (_, value) in values)
            {
                if (!PlainValue(value))
                {
                    return false;
                }
            }
        }

        return true;
    }

    // Values that cannot be changed through a shared reference.
    private static bool PlainValue(object? value) => value is null or JsonElement or string or bool or int or long or double or decimal;

    private static ChatMessage Copy(ChatMessage message)
    {
        var contents = new List<AIContent>(message.Contents.Count);
        foreach (var content in message.Contents)
        {
            AIContent copy = content switch
            {
                TextContent text => new TextContent(text.Text),
                TextReasoningContent reasoning => new TextReasoningContent(reasoning.Text) { ProtectedData = reasoning.ProtectedData },
                FunctionCallContent call => new FunctionCallContent(call.CallId, call.Name, call.Arguments is null ? null : new Dictionary<string, object?>(call.Arguments)) { InformationalOnly = call.InformationalOnly },
                FunctionResultContent result => new FunctionResultContent(result.CallId, result.Result),
                UsageContent usage => new UsageContent(CopyUsage(usage.Details)),
                _ => throw new System.Diagnostics.UnreachableException($"Content of type {content.GetType().Name} cannot be copied member by member."),
            };
            copy.AdditionalProperties = content.AdditionalProperties?.Clone();
            contents.Add(copy);
        }

        return new ChatMessage(message.Role, contents)
        {
            AuthorName = message.AuthorName,
            MessageId = message.MessageId,
            CreatedAt = message.CreatedAt,
            AdditionalProperties = message.AdditionalProperties?.Clone(),
        };
    }

    private static UsageDetails CopyUsage(UsageDetails usage)
    {
        var copy = new UsageDetails();
        copy.Add(usage);
        return copy;
    }
}
