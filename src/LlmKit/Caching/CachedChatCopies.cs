using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Copies of responses and chunks: what the cache stores (without provider objects or LlmKit's per-call annotations) and
/// what each hit hands out (fresh messages, contents and usage, so a caller that changes its copy changes no other).
/// </summary>
internal static class CachedChatCopies
{
    public static ChatResponse Copy(ChatResponse response, AdditionalPropertiesDictionary? properties)
    {
        var source = response.Messages;
        var messages = new List<ChatMessage>(source.Count);
        for (int i = 0; i < source.Count; i++)
        {
            var m = source[i];
            messages.Add(new ChatMessage(m.Role, CopyContents(m.Contents)) { AuthorName = m.AuthorName, MessageId = m.MessageId, CreatedAt = m.CreatedAt });
        }

        return new ChatResponse(messages)
        {
            ResponseId = response.ResponseId,
            ModelId = response.ModelId,
            CreatedAt = response.CreatedAt,
            FinishReason = response.FinishReason,
            Usage = Copy(response.Usage),
            AdditionalProperties = properties,
        };
    }

    public static ChatResponseUpdate Copy(ChatResponseUpdate update, AdditionalPropertiesDictionary? properties) => new(update.Role, CopyContents(update.Contents))
    {
        AuthorName = update.AuthorName,
        ResponseId = update.ResponseId,
        MessageId = update.MessageId,
        ModelId = update.ModelId,
        CreatedAt = update.CreatedAt,
        FinishReason = update.FinishReason,
        AdditionalProperties = properties,
    };

    private static List<AIContent> CopyContents(IList<AIContent> contents)
    {
        var copies = new List<AIContent>(contents.Count);
        for (int i = 0; i < contents.Count; i++)
        {
            copies.Add(contents[i] switch
            {
                TextContent t => new TextContent(t.Text),
                TextReasoningContent r => new TextReasoningContent(r.Text) { ProtectedData = r.ProtectedData },
                UsageContent u => new UsageContent(Copy(u.Details)!),
                var other => other,
            });
        }

        return copies;
    }

    private static UsageDetails? Copy(UsageDetails? usage)
    {
        if (usage is null)
        {
            return null;
        }

        // Add copies every count (the experimental ones too) and the additional counts into a fresh dictionary.
        var copy = new UsageDetails();
        copy.Add(usage);
        return copy;
    }
}
