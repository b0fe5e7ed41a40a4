using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace LlmKit;

/// <summary>Argument checks, message preparation, search terms and continuation tokens shared by the durable stores.</summary>
internal static class StoreRules
{
    public const int MaxPageSize = 1000;
    public const int TopTagCount = 10;

    /// <summary>
    /// The largest cost in USD a store accepts for one message or one auxiliary call (900 million): SQLite keeps costs as
    /// 64-bit integers of 10^-10 USD, which end at about 922 million USD, and every store takes the same values.
    /// </summary>
    public const decimal MaxCostUsd = 900_000_000m;

    /// <summary>Truncates to whole microseconds in UTC, the precision every store keeps.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset time)
    {
        long ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % 10), TimeSpan.Zero);
    }

    public static void CheckId(string id, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id, paramName);
        CheckIdentifier(id, "conversation id", paramName);
    }

    /// <summary>
    /// Rejects an identifier (conversation, message, tenant or user id, tag, model name, label, budget scope) that holds
    /// a NUL character (U+0000), which PostgreSQL text cannot hold, or that is not well-formed UTF-16 (an unpaired
    /// surrogate), which SQLite and PostgreSQL turn into U+FFFD so that two different identifiers (<c>"c\uD800"</c> and
    /// <c>"c\uDC00"</c>) would become one. Every store refuses both the same way, before anything is written, and never
    /// changes an identifier.
    /// </summary>
    public static void CheckIdentifier(string? value, string field, string paramName)
    {
        if (value is null)
        {
            return;
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The {field} contains a NUL character (U+0000), which the stores do not accept in identifiers (PostgreSQL cannot keep it). Remove it from the {field}.", paramName);
        }

        if (UnpairedSurrogate(value) is int at and >= 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The {field} is not well-formed UTF-16: it holds an unpaired surrogate (U+{(int)value[at]:X4} at index {at}), which a database would store as U+FFFD, so that two different identifiers could become the same. Pass the {field} as valid Unicode text."),
                paramName);
        }
    }

    /// <summary>The index of the first unpaired surrogate in <paramref name="value"/>, or -1 when it is well-formed UTF-16.</summary>
    public static int UnpairedSurrogate(string value)
    {
        // Most identifiers hold no surrogate at all: one vectorised search settles them.
        int i = value.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (i < 0)
        {
            return -1;
        }

        while (i < value.Length)
        {
            char c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i += 2;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return i;
            }

            i++;
        }

        return -1;
    }

    /// <summary>Checks a budget window key and reservation id before a budget store reads or writes them.</summary>
    public static void CheckBudgetKey(BudgetWindowKey key, string? reservationId, string paramName)
    {
        ArgumentNullException.ThrowIfNull(key.BudgetId, paramName);
        CheckIdentifier(key.BudgetId, "budget id", paramName);
        CheckIdentifier(key.Scope.Value, "budget scope value", paramName);
        CheckIdentifier(reservationId, "reservation id", nameof(reservationId));
    }

    /// <summary>Checks the identifiers and tags of a usage record (none may hold a NUL character) and its cost, before it is written.</summary>
    public static void CheckUsageRecord(UsageRecord record, string paramName)
    {
        CheckIdentifier(record.RequestId, "request id", paramName);
        CheckIdentifier(record.CorrelationId, "correlation id", paramName);
        CheckIdentifier(record.RunId, "run id", paramName);
        CheckIdentifier(record.TenantId, "tenant id", paramName);
        CheckIdentifier(record.UserId, "user id", paramName);
        CheckIdentifier(record.ApiKeyId, "API key id", paramName);
        CheckIdentifier(record.ConversationId, "conversation id", paramName);
        CheckIdentifier(record.LogicalModel, "logical model", paramName);
        CheckIdentifier(record.Deployment, "deployment", paramName);
        CheckIdentifier(record.Provider, "provider", paramName);
        CheckIdentifier(record.ResponseModel, "response model", paramName);
        CheckIdentifier(record.TemplateId, "template id", paramName);
        CheckCost(record.Cost?.Total, "request", record.RequestId, paramName);
        CheckTokens(record.InputTokens, "InputTokens", paramName);
        CheckTokens(record.CachedInputTokens, "CachedInputTokens", paramName);
        CheckTokens(record.CacheWriteTokens, "CacheWriteTokens", paramName);
        CheckTokens(record.OutputTokens, "OutputTokens", paramName);
        CheckTokens(record.ReasoningTokens, "ReasoningTokens", paramName);
        if (record.Tags is { Count: > 0 } tags)
        {
            foreach (var (key, value) in tags)
            {
                CheckIdentifier(key, "usage tag key", paramName);
                CheckIdentifier(value, "usage tag value", paramName);
            }
        }
    }

    /// <summary>Checks the scope value of a usage query (no NUL character, as no record can hold one).</summary>
    public static void CheckUsageQuery(UsageQuery query, string paramName)
    {
        ArgumentNullException.ThrowIfNull(query, paramName);
        CheckIdentifier(query.Scope.Value, "usage scope value", paramName);
    }

    /// <summary>Checks the identifiers of a conversation to create (id, tenant, user, model, tags) and returns its distinct tags.</summary>
    public static List<string> CheckConversation(Conversation conversation, string paramName)
    {
        CheckId(conversation.Id, paramName);
        CheckIdentifier(conversation.TenantId, "tenant id", paramName);
        CheckIdentifier(conversation.UserId, "user id", paramName);
        CheckIdentifier(conversation.Model, "model name", paramName);
        CheckMetadataKeys(conversation.Metadata?.Keys, paramName);
        return CheckTags(conversation.Tags, paramName);
    }

    /// <summary>Rejects an empty metadata key (a conversation's metadata, or the entries of an update).</summary>
    public static void CheckMetadataKeys(IEnumerable<string>? keys, string paramName)
    {
        if (keys is not null && keys.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("A metadata key is empty. Give every metadata entry a non-empty key (an update removes an entry by setting its value to null).", paramName);
        }
    }

    /// <summary>
    /// Rejects a cost beyond <see cref="MaxCostUsd"/> either way, naming what it was the cost of (<paramref name="what"/>,
    /// followed by <paramref name="id"/> in quotes when given; the text is built only when the cost is refused).
    /// </summary>
    public static void CheckCost(decimal? costUsd, string what, string? id, string paramName)
    {
        if (costUsd is { } cost && Math.Abs(cost) > MaxCostUsd)
        {
            string subject = id is null ? what : $"{what} '{id}'";
            throw new ArgumentOutOfRangeException(paramName, costUsd, string.Create(CultureInfo.InvariantCulture, $"The cost of {subject} is {costUsd} USD; the stores keep costs up to {MaxCostUsd:#,0} USD (either sign) per message or call. Check the prices and token counts that produced it."));
        }
    }

    /// <summary>Checks a batch of conversations to create together: none <see langword="null"/> and no id twice.</summary>
    public static void CheckBatch(IReadOnlyList<Conversation> conversations, string paramName)
    {
        ArgumentNullException.ThrowIfNull(conversations, paramName);
        var ids = new HashSet<string>(conversations.Count, StringComparer.Ordinal);
        for (int i = 0; i < conversations.Count; i++)
        {
            var conversation = conversations[i] ?? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Conversation {i} of the batch is null."), paramName);
            if (conversation.Id is not null && !ids.Add(conversation.Id))
            {
                throw new ArgumentException($"Two conversations of the batch have id '{conversation.Id}'. Give each conversation its own id.", paramName);
            }
        }
    }

    public static List<string> CheckTags(IReadOnlyList<string>? tags, string paramName)
    {
        var result = new List<string>(tags?.Count ?? 0);
        if (tags is null)
        {
            return result;
        }

        foreach (string tag in tags)
        {
            if (string.IsNullOrWhiteSpace(tag))
            {
                throw new ArgumentException("A tag is null or empty. Give every tag a name.", paramName);
            }

            CheckIdentifier(tag, "tag", paramName);

            if (!result.Contains(tag, StringComparer.Ordinal))
            {
                result.Add(tag);
            }
        }

        return result;
    }

    public static void CheckQuery(ConversationQuery query, string paramName)
    {
        ArgumentNullException.ThrowIfNull(query, paramName);
        if (query.PageSize is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(paramName, query.PageSize, string.Create(CultureInfo.InvariantCulture, $"PageSize must be 1 to {MaxPageSize}."));
        }

        foreach (string tag in query.Tags)
        {
            if (string.IsNullOrWhiteSpace(tag))
            {
                throw new ArgumentException("A tag filter is null or empty. Remove it from ConversationQuery.Tags, or give it the tag to match.", paramName);
            }

            CheckIdentifier(tag, "tag filter", paramName);
        }

        CheckIdentifier(query.TenantId, "tenant id filter", paramName);
        CheckIdentifier(query.UserId, "user id filter", paramName);
        CheckRange(query.UpdatedAfter, query.UpdatedBefore, nameof(ConversationQuery.UpdatedAfter), nameof(ConversationQuery.UpdatedBefore), paramName);
        CheckRange(query.CreatedAfter, query.CreatedBefore, nameof(ConversationQuery.CreatedAfter), nameof(ConversationQuery.CreatedBefore), paramName);
    }

    /// <summary>Rejects a time range whose inclusive start is after its exclusive end (an equal start and end is an empty range).</summary>
    private static void CheckRange(DateTimeOffset? start, DateTimeOffset? end, string startName, string endName, string paramName)
    {
        if (start is { } from && end is { } to && from > to)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{startName} ({from:O}) is after {endName} ({to:O}). The range includes {startName} and excludes {endName}: give a start at or before the end, or leave either null for an open range."),
                paramName);
        }
    }

    /// <summary>
    /// The checks every store makes on one message before writing anything: no NUL character in its id, model or role,
    /// and a cost within <see cref="MaxCostUsd"/>. One place, so the in-memory store and the durable ones refuse alike.
    /// </summary>
    public static void CheckMessage(ConversationMessage message, string messageId, string paramName)
    {
        CheckIdentifier(messageId, "message id", paramName);
        CheckIdentifier(message.Model, "model name", paramName);
        CheckIdentifier(message.Message.Role.Value, "message role", paramName);
        CheckCost(message.Cost?.Total, "message", messageId, paramName);
        if (message.Usage is { } usage)
        {
            CheckTokens(usage.InputTokenCount, "Usage.InputTokenCount", paramName);
            CheckTokens(usage.OutputTokenCount, "Usage.OutputTokenCount", paramName);
            CheckTokens(usage.TotalTokenCount, "Usage.TotalTokenCount", paramName);
            CheckTokens(usage.CachedInputTokenCount, "Usage.CachedInputTokenCount", paramName);
            CheckTokens(usage.ReasoningTokenCount, "Usage.ReasoningTokenCount", paramName);
        }
    }

    /// <summary>
    /// Rejects a negative token count (a provider that sent <c>-1000000</c> must not lower the totals), naming the field;
    /// the text is built only when the count is refused.
    /// </summary>
    public static void CheckTokens(long? count, string field, string paramName)
    {
        if (count < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{field} is {count}; token counts cannot be negative. Check the provider's usage figures that produced it."), paramName);
        }
    }

    /// <summary>Assigns ids and times, checks for duplicates within the call and computes what the rows hold.</summary>
    public static List<PreparedMessage> Prepare(IReadOnlyList<ConversationMessage> messages, DateTimeOffset now, string paramName)
    {
        ArgumentNullException.ThrowIfNull(messages, paramName);
        var prepared = new List<PreparedMessage>(messages.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            if (message?.Message is null)
            {
                throw new ArgumentException("A message (or its ChatMessage) is null.", paramName);
            }

            var chat = message.Message;
            string messageId = string.IsNullOrEmpty(chat.MessageId) ? Guid.NewGuid().ToString("N") : chat.MessageId;
            CheckMessage(message, messageId, paramName);
            if (!ids.Add(messageId))
            {
                throw new ArgumentException($"Two messages of the call have id '{messageId}'. Give each message its own id.", paramName);
            }

            DateTimeOffset createdAt = Normalize(chat.CreatedAt ?? now);
            if (chat.MessageId != messageId || chat.CreatedAt != createdAt)
            {
                chat = chat.Clone();
                chat.MessageId = messageId;
                chat.CreatedAt = createdAt;
            }

            var stored = message with { Message = chat };
            prepared.Add(new PreparedMessage(
                messageId,
                chat.Role.Value,
                createdAt,
                message.Status,
                chat.Text,
                ConversationJson.SerializeMessage(stored),
                message.Usage?.InputTokenCount ?? 0,
                message.Usage?.OutputTokenCount ?? 0,
                message.Cost?.Total,
                message.Model));
        }

        return prepared;
    }

    /// <summary>Splits search text into words (runs of letters and digits), lower-cased.</summary>
    public static List<string> SearchTerms(string text, string paramName)
    {
        ArgumentNullException.ThrowIfNull(text, paramName);
        var terms = new List<string>();
        var current = new StringBuilder();
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c) || char.IsSurrogate(c))
            {
                current.Append(c);
            }
            else if (current.Length > 0)
            {
                terms.Add(current.ToString().ToLowerInvariant());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            terms.Add(current.ToString().ToLowerInvariant());
        }

        if (terms.Count == 0)
        {
            throw new ArgumentException("The search text holds no letter or digit. Give at least one word.", paramName);
        }

        return terms;
    }

    public static string EncodeToken(DateTimeOffset updatedAt, string id)
    {
        string raw = string.Create(CultureInfo.InvariantCulture, $"1:{updatedAt.UtcTicks}:{id}");
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(raw));
    }

    public static (DateTimeOffset UpdatedAt, string Id) DecodeToken(string token)
    {
        try
        {
            string raw = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            string[] parts = raw.Split(':', 3);
            if (parts.Length == 3 && parts[0] == "1" && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks && parts[2].Length > 0 && !parts[2].Contains('\0', StringComparison.Ordinal))
            {
                return (new DateTimeOffset(ticks, TimeSpan.Zero), parts[2]);
            }
        }
        catch (FormatException)
        {
            // Reported below with the same message as any other malformed token.
        }

        throw new LlmKitException("The continuation token is not one this store returned. Pass back the ContinuationToken of the previous page unchanged, or null for the first page.");
    }

    /// <summary>
    /// Reads the auxiliary call an update records (<see cref="ConversationUpdate.AuxiliaryUsage"/> and
    /// <see cref="ConversationUpdate.AuxiliaryCost"/>): none when both are <see langword="null"/>; otherwise its tokens, and
    /// its known cost or one call of unknown cost.
    /// </summary>
    public static AuxiliaryTotals AuxiliaryOf(ConversationUpdate update, string paramName)
    {
        if (update.AuxiliaryUsage is null && update.AuxiliaryCost is null)
        {
            return default;
        }

        long input = update.AuxiliaryUsage?.InputTokenCount ?? 0;
        long output = update.AuxiliaryUsage?.OutputTokenCount ?? 0;
        decimal? cost = update.AuxiliaryCost?.Total;
        if (input < 0 || output < 0 || cost < 0)
        {
            throw new ArgumentException("The auxiliary usage of the update has a negative token count or cost. Pass the usage and cost the auxiliary call's response reported.", paramName);
        }

        CheckCost(cost, "the auxiliary call", null, paramName);

        return new AuxiliaryTotals(true, input, output, cost ?? 0m, cost is null ? 1 : 0);
    }

    /// <summary>Reads the auxiliary totals a conversation is created with (kept as given, as when importing).</summary>
    public static AuxiliaryTotals AuxiliaryOf(Conversation conversation, string paramName)
    {
        if (conversation.AuxiliaryInputTokens < 0 || conversation.AuxiliaryOutputTokens < 0 || conversation.AuxiliaryCostUsd < 0 || conversation.AuxiliaryUnknownCostCalls < 0)
        {
            throw new ArgumentException($"Conversation '{conversation.Id}' has a negative auxiliary total (AuxiliaryInputTokens, AuxiliaryOutputTokens, AuxiliaryCostUsd or AuxiliaryUnknownCostCalls). Leave them at 0 for a new conversation.", paramName);
        }

        CheckCost(conversation.AuxiliaryCostUsd, "the auxiliary calls of conversation", conversation.Id, paramName);

        return new AuxiliaryTotals(
            conversation.AuxiliaryInputTokens != 0 || conversation.AuxiliaryOutputTokens != 0 || conversation.AuxiliaryCostUsd != 0 || conversation.AuxiliaryUnknownCostCalls != 0,
            conversation.AuxiliaryInputTokens,
            conversation.AuxiliaryOutputTokens,
            conversation.AuxiliaryCostUsd,
            conversation.AuxiliaryUnknownCostCalls);
    }

    public static ConcurrencyConflictException AlreadyExists(string id)
        => new($"Conversation '{id}' already exists. Use another id, or load it and append to it.");

    /// <summary>
    /// Checks a conversation for creation and works out what a durable store writes for it except its cost: tags,
    /// prepared messages, creation and update times (now, or the creation time, when not given), metadata, auxiliary
    /// totals, token totals and the model (the last one a message names, else the conversation's).
    /// </summary>
    public static ConversationDraft Draft(Conversation conversation, DateTimeOffset now, string paramName)
    {
        var tags = CheckConversation(conversation, paramName);
        var messages = Prepare(conversation.Messages, now, paramName);
        var createdAt = conversation.CreatedAt == default ? now : Normalize(conversation.CreatedAt);
        var updatedAt = conversation.UpdatedAt == default ? createdAt : Normalize(conversation.UpdatedAt);
        var auxiliary = AuxiliaryOf(conversation, paramName);
        long inputTokens = auxiliary.InputTokens, outputTokens = auxiliary.OutputTokens;
        string? model = conversation.Model;
        foreach (var m in messages)
        {
            inputTokens += m.InputTokens;
            outputTokens += m.OutputTokens;
            model = m.Model ?? model;
        }

        return new ConversationDraft(conversation, tags, messages, createdAt, updatedAt, new Dictionary<string, string>(conversation.Metadata, StringComparer.Ordinal), auxiliary, inputTokens, outputTokens, model);
    }

    /// <summary>
    /// The conversation a store returns from a create: the caller's id, title, tenant and user, and what the store wrote
    /// (version 1). Costs are passed as the store keeps them (SQLite rounds to its integer units).
    /// </summary>
    public static Conversation Created(
        Conversation source, IReadOnlyList<string> tags, IReadOnlyDictionary<string, string> metadata, DateTimeOffset createdAt, DateTimeOffset updatedAt,
        string? model, long inputTokens, long outputTokens, decimal costUsd, AuxiliaryTotals auxiliary, decimal auxiliaryCostUsd, IReadOnlyList<ConversationMessage> messages)
        => new()
        {
            Id = source.Id,
            Title = source.Title,
            TenantId = source.TenantId,
            UserId = source.UserId,
            Tags = tags,
            Metadata = metadata,
            CreatedAt = createdAt,
            UpdatedAt = updatedAt,
            Model = model,
            InputTokens = inputTokens,
            OutputTokens = outputTokens,
            CostUsd = costUsd,
            AuxiliaryInputTokens = auxiliary.InputTokens,
            AuxiliaryOutputTokens = auxiliary.OutputTokens,
            AuxiliaryCostUsd = auxiliaryCostUsd,
            AuxiliaryUnknownCostCalls = auxiliary.UnknownCostCalls,
            Version = 1,
            MessageCount = messages.Count,
            Messages = messages,
        };
}

/// <summary>Auxiliary-call totals to add to a conversation (see <see cref="Conversation.AuxiliaryInputTokens"/>).</summary>
/// <param name="Any">Whether there is anything to add (an update with an auxiliary call changes the conversation).</param>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="CostUsd">Known cost in USD.</param>
/// <param name="UnknownCostCalls">Calls of unknown cost.</param>
internal readonly record struct AuxiliaryTotals(bool Any, long InputTokens, long OutputTokens, decimal CostUsd, long UnknownCostCalls);
