using System.Globalization;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// An <see cref="IChatReducer"/> that fits a conversation into a prompt-token budget by dropping the oldest
/// message groups, with exact token counts. It never drops a system message, never separates a tool call from
/// its results (an assistant message that calls tools and the tool messages that answer form one group), and
/// never drops the newest group (the message being answered). The kept history is contiguous: it is the newest
/// groups that fit.
/// </summary>
/// <remarks>
/// Counts come from the <see cref="ITokenCounter"/> given (for a LlmKit pipeline,
/// <c>chatClient.GetService&lt;ITokenCounter&gt;()</c>) and include the per-message overheads and, when
/// <see cref="ChatOptions"/> are given, the instructions and tools. The result is re-counted as a whole and
/// trimmed further if needed, so the budget holds whatever the counter.
/// </remarks>
public sealed class DropOldestGroupsChatReducer : IChatReducer
{
    private readonly ITokenCounter _counter;
    private readonly ChatOptions? _chatOptions;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="tokenCounter">Counts prompt tokens the way the target model does.</param>
    /// <param name="maxPromptTokens">The most prompt tokens to keep: the context window less the output reserved.</param>
    /// <param name="chatOptions">The options the call will be made with (instructions and tools count against the budget), or <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tokenCounter"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPromptTokens"/> is not positive.</exception>
    public DropOldestGroupsChatReducer(ITokenCounter tokenCounter, int maxPromptTokens, ChatOptions? chatOptions = null)
    {
        ArgumentNullException.ThrowIfNull(tokenCounter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPromptTokens);
        _counter = tokenCounter;
        _chatOptions = chatOptions;
        MaxPromptTokens = maxPromptTokens;
    }

    /// <summary>Gets the most prompt tokens the reduced messages take.</summary>
    public int MaxPromptTokens { get; }

    /// <inheritdoc/>
    /// <exception cref="ContextWindowExceededException">The system messages and the newest group alone exceed the budget.</exception>
    public Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        return Task.FromResult<IEnumerable<ChatMessage>>(Fit(_counter, list, MaxPromptTokens, _chatOptions, out _));
    }

    /// <summary>Keeps the system messages, the newest group and as many newer groups as fit; returns the exact count.</summary>
    internal static List<ChatMessage> Fit(ITokenCounter counter, IReadOnlyList<ChatMessage> messages, int maxPromptTokens, ChatOptions? chatOptions, out int promptTokens)
    {
        var groups = MessageGroups.Split(messages);
        int newest = groups.Count - 1;

        // Pinned: every system message and the newest group.
        var keep = new bool[messages.Count];
        for (int i = 0; i < messages.Count; i++)
        {
            keep[i] = messages[i].Role == ChatRole.System || (newest >= 0 && i >= groups[newest].Start && i <= groups[newest].End);
        }

        int total = counter.CountTokens(Select(messages, keep), chatOptions);
        if (total > maxPromptTokens)
        {
            throw new ContextWindowExceededException(string.Create(
                CultureInfo.InvariantCulture,
                $"The system messages and the newest message alone take {total} prompt tokens, over the budget of {maxPromptTokens} (the context window less the output reserved). Shorten the system prompt or the message, lower the maximum output tokens, or use a model with a larger window."))
            {
                RequestedTokens = total,
            };
        }

        // Newest first, contiguous: stop at the first group that does not fit.
        int emptyPrompt = counter.CountTokens(Array.Empty<ChatMessage>());
        int oldestKept = newest;
        for (int g = newest - 1; g >= 0; g--)
        {
            int cost = MessageGroups.Cost(counter, messages, groups[g], emptyPrompt);
            if (total + cost > maxPromptTokens)
            {
                break;
            }

            total += cost;
            oldestKept = g;
            Mark(keep, messages, groups[g], true);
        }

        // Re-count as a whole: exact whatever the counter, and trim further while over.
        var result = Select(messages, keep);
        promptTokens = counter.CountTokens(result, chatOptions);
        while (promptTokens > maxPromptTokens && oldestKept < newest)
        {
            Mark(keep, messages, groups[oldestKept], false);
            oldestKept++;
            result = Select(messages, keep);
            promptTokens = counter.CountTokens(result, chatOptions);
        }

        return result;
    }

    private static void Mark(bool[] keep, IReadOnlyList<ChatMessage> messages, (int Start, int End) group, bool value)
    {
        for (int i = group.Start; i <= group.End; i++)
        {
            // A system message inside a group's span is pinned on its own.
            if (messages[i].Role != ChatRole.System)
            {
                keep[i] = value;
            }
        }
    }

    private static List<ChatMessage> Select(IReadOnlyList<ChatMessage> messages, bool[] keep)
    {
        var result = new List<ChatMessage>(messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            if (keep[i])
            {
                result.Add(messages[i]);
            }
        }

        return result;
    }
}
