using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// An <see cref="IChatReducer"/> that, once the prompt grows past a trigger size, replaces the oldest message
/// groups with a summary written by a (cheap) model, keeping the newest groups verbatim down to a target size.
/// </summary>
/// <remarks>
/// <para>The summary is a system message marked with <see cref="ConversationMetadataKeys.Summary"/> (the summary
/// text) and <see cref="ConversationMetadataKeys.SummaryThrough"/> (the id of the newest message it covers) in its
/// <see cref="ChatMessage.AdditionalProperties"/>. When the input already holds such a message, the next pass
/// hands the previous summary to the model with the messages to fold in, so summaries build on each other.</para>
/// <para>System messages are never summarised or dropped; a tool call and its results are summarised together or
/// kept together; the newest group is always kept.</para>
/// </remarks>
public sealed class SummarizingChatReducer : IChatReducer
{
    /// <summary>The text that starts the summary message.</summary>
    public const string SummaryPrefix = "Summary of the earlier conversation:\n";

    private readonly IChatClient _summarizer;
    private readonly ITokenCounter _counter;
    private readonly SummarizingChatReducerOptions _options;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="summarizer">The client that writes summaries (normally LlmKit's pipeline, so the call is metered).</param>
    /// <param name="tokenCounter">Counts prompt tokens the way the conversation's model does.</param>
    /// <param name="options">The trigger, target and summarising model.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The trigger or target is not positive, or the target is not below the trigger.</exception>
    public SummarizingChatReducer(IChatClient summarizer, ITokenCounter tokenCounter, SummarizingChatReducerOptions options)
    {
        ArgumentNullException.ThrowIfNull(summarizer);
        ArgumentNullException.ThrowIfNull(tokenCounter);
        ArgumentNullException.ThrowIfNull(options);
        if (options.TriggerTokens <= 0 || options.TargetTokens <= 0 || options.TargetTokens >= options.TriggerTokens)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"TriggerTokens ({options.TriggerTokens}) and TargetTokens ({options.TargetTokens}) must be positive, with the target below the trigger."), nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxSummaryTokens, nameof(options));
        _summarizer = summarizer;
        _counter = tokenCounter;
        _options = options;
    }

    /// <summary>Returns the summary message of <paramref name="messages"/>, or <see langword="null"/> when there is none.</summary>
    /// <param name="messages">The messages.</param>
    /// <returns>The summary message.</returns>
    public static ChatMessage? FindSummary(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
        {
            if (IsSummary(message))
            {
                return message;
            }
        }

        return null;
    }

    /// <summary>Creates the summary message for a summary text.</summary>
    /// <param name="summary">The summary text.</param>
    /// <param name="throughMessageId">The id of the newest message it covers, or <see langword="null"/>.</param>
    /// <returns>A system message marked as the summary.</returns>
    public static ChatMessage CreateSummaryMessage(string summary, string? throughMessageId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(summary);
        var properties = new AdditionalPropertiesDictionary { [ConversationMetadataKeys.Summary] = summary };
        if (throughMessageId is not null)
        {
            properties[ConversationMetadataKeys.SummaryThrough] = throughMessageId;
        }

        return new ChatMessage(ChatRole.System, SummaryPrefix + summary) { AdditionalProperties = properties };
    }

    /// <inheritdoc/>
    public async Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (reduced, _) = await ReduceWithResponseAsync(messages, cancellationToken).ConfigureAwait(false);
        return reduced;
    }

    /// <summary>
    /// Reduces as <see cref="ReduceAsync"/> does, and hands back the summarising model's response (for its usage and
    /// cost), or <see langword="null"/> when no summary was written.
    /// </summary>
    internal async Task<(IReadOnlyList<ChatMessage> Messages, ChatResponse? SummaryResponse)> ReduceWithResponseAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        if (_counter.CountTokens(list, _options.CountingOptions) <= _options.TriggerTokens)
        {
            return (list, null);
        }

        var previous = FindSummary(list);
        var groups = MessageGroups.Split(list);
        if (groups.Count < 2)
        {
            return (list, null);
        }

        // Verbatim part: the system messages (less the old summary), then the newest groups down to the target.
        var pinned = new List<ChatMessage>();
        foreach (var message in list)
        {
            if (message.Role == ChatRole.System && !ReferenceEquals(message, previous))
            {
                pinned.Add(message);
            }
        }

        int emptyPrompt = _counter.CountTokens(Array.Empty<ChatMessage>());
        int newest = groups.Count - 1;
        int kept = _counter.CountTokens(pinned, _options.CountingOptions) + MessageGroups.Cost(_counter, list, groups[newest], emptyPrompt);
        int firstKept = newest;
        for (int g = newest - 1; g >= 0; g--)
        {
            int cost = MessageGroups.Cost(_counter, list, groups[g], emptyPrompt);
            if (kept + cost > _options.TargetTokens)
            {
                break;
            }

            kept += cost;
            firstKept = g;
        }

        if (firstKept == 0)
        {
            // Everything already fits the target: nothing to fold into the summary.
            return (list, null);
        }

        int summarizedEnd = groups[firstKept - 1].End;
        string? previousText = previous?.AdditionalProperties?[ConversationMetadataKeys.Summary] as string;
        var (summary, response) = await SummarizeAsync(previousText, list, summarizedEnd, cancellationToken).ConfigureAwait(false);
        var summaryMessage = CreateSummaryMessage(summary, list[summarizedEnd].MessageId);

        // System messages keep their places; the summary follows the leading system messages; then the kept groups.
        var result = new List<ChatMessage>(list.Count);
        bool placed = false;
        for (int i = 0; i < list.Count; i++)
        {
            var message = list[i];
            bool system = message.Role == ChatRole.System;
            if (!placed && !system)
            {
                result.Add(summaryMessage);
                placed = true;
            }

            if (ReferenceEquals(message, previous) || (!system && i <= summarizedEnd))
            {
                continue;
            }

            result.Add(message);
        }

        if (!placed)
        {
            result.Add(summaryMessage);
        }

        return (result, response);
    }

    private async Task<(string Summary, ChatResponse Response)> SummarizeAsync(string? previous, IReadOnlyList<ChatMessage> list, int summarizedEnd, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(previous))
        {
            text.Append("Previous summary:\n").Append(previous).Append("\n\n");
        }

        text.Append("New messages to fold in:\n");
        for (int i = 0; i <= summarizedEnd; i++)
        {
            if (list[i].Role != ChatRole.System)
            {
                AppendTranscriptLine(text, list[i]);
            }
        }

        text.Append("\nWrite the updated summary.");
        var options = _options.SummaryChatOptions?.Clone() ?? new ChatOptions();
        options.ModelId = _options.Model ?? options.ModelId;
        options.MaxOutputTokens = _options.MaxSummaryTokens;
        options.Tools = null;
        var response = await _summarizer.GetResponseAsync(
            [new ChatMessage(ChatRole.System, _options.Instructions), new ChatMessage(ChatRole.User, text.ToString())],
            options,
            cancellationToken).ConfigureAwait(false);
        string summary = response.Text.Trim();
        if (summary.Length == 0)
        {
            throw new ResponseParseException($"The summarising model '{response.ModelId ?? options.ModelId ?? "(default)"}' returned an empty summary. Check the summariser model, or use the drop-oldest context strategy.");
        }

        return (summary, response);
    }

    /// <summary>Writes one message as a transcript line: role, then its text, tool calls and tool results.</summary>
    internal static void AppendTranscriptLine(StringBuilder text, ChatMessage message)
    {
        text.Append('[').Append(message.Role.Value).Append("] ");
        bool first = true;
        foreach (var content in message.Contents)
        {
            string? part = content switch
            {
                TextContent t => t.Text,
                FunctionCallContent call => $"(calls tool {call.Name})",
                FunctionResultContent result => "(tool result) " + (result.Result?.ToString() ?? string.Empty),
                _ => null,
            };
            if (string.IsNullOrEmpty(part))
            {
                continue;
            }

            if (!first)
            {
                text.Append(' ');
            }

            text.Append(part);
            first = false;
        }

        text.Append('\n');
    }

    private static bool IsSummary(ChatMessage message) =>
        message.Role == ChatRole.System
        && message.AdditionalProperties is { } properties
        && properties.TryGetValue(ConversationMetadataKeys.Summary, out object? value)
        && value is string;
}
