using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Splits chat messages into what history fitting may drop: system messages are pinned one by one; every other
/// message starts a group, except tool results (role <c>tool</c>, or only <see cref="FunctionResultContent"/>),
/// which stay in the group of the assistant message that called the tool. The last group (the newest turn) is pinned.
/// </summary>
internal static class MessageGroups
{
    /// <summary>Returns the start index of each droppable-or-pinned group of non-system messages, oldest first; system messages belong to none.</summary>
    public static List<(int Start, int End)> Split(IReadOnlyList<ChatMessage> messages)
    {
        var groups = new List<(int Start, int End)>();
        int start = -1, end = -1;
        for (int i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            if (start >= 0 && IsToolResult(message))
            {
                end = i;
                continue;
            }

            if (start >= 0)
            {
                groups.Add((start, end));
            }

            start = i;
            end = i;
        }

        if (start >= 0)
        {
            groups.Add((start, end));
        }

        return groups;
    }

    /// <summary>Whether the message carries tool results, which must follow the call that asked for them.</summary>
    public static bool IsToolResult(ChatMessage message)
    {
        if (message.Role == ChatRole.Tool)
        {
            return true;
        }

        var contents = message.Contents;
        if (contents.Count == 0)
        {
            return false;
        }

        for (int i = 0; i < contents.Count; i++)
        {
            if (contents[i] is not FunctionResultContent)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The tokens one group adds to a prompt: its messages counted without the reply priming, instructions or tools.</summary>
    public static int Cost(ITokenCounter counter, IReadOnlyList<ChatMessage> messages, (int Start, int End) group, int emptyPrompt)
    {
        var slice = new ChatMessage[group.End - group.Start + 1];
        for (int i = 0; i < slice.Length; i++)
        {
            slice[i] = messages[group.Start + i];
        }

        return counter.CountTokens(slice) - emptyPrompt;
    }
}
