using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// The default <see cref="IConversationStore"/>: keeps conversations in process memory, lost when the process
/// ends. Use the SQLite or PostgreSQL store to keep them across restarts and machines.
/// </summary>
/// <remarks>
/// <para>Thread-safe: each conversation is changed under its own lock, so concurrent appends to one
/// conversation are serialised and none is lost or duplicated; appends are idempotent by
/// <see cref="ChatMessage.MessageId"/> (an append whose messages are all stored already changes nothing and returns the
/// current version whatever the expected version, so a retried append never fails). A conversation is created at version
/// 1, and every append that adds a message and every update adds 1. An update's auxiliary usage is added to the totals under
/// the same lock as its other changes and the version increment.</para>
/// <para>Messages are stored as they read back from Microsoft.Extensions.AI JSON, and every read returns fresh
/// objects: changing a returned conversation or message, or a message after it was appended, never changes the
/// store. Function-call arguments and results therefore come back as <see cref="System.Text.Json.JsonElement"/>
/// values, as from the durable stores.</para>
/// <para>Search matches a message (or a title) that holds every word of the search text as a whole word, ignoring
/// case and punctuation; the rank is the number of occurrences (title occurrences count double).</para>
/// </remarks>
public sealed class InMemoryConversationStore : IConversationStore
{
    private const int SnippetLength = 120;
    private const int TopTagCount = 10;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="timeProvider">The clock for creation and update times; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    public InMemoryConversationStore(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the number of conversations held.</summary>
    public int Count => _entries.Count;

    /// <inheritdoc/>
    public Task<Conversation> CreateAsync(Conversation conversation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        cancellationToken.ThrowIfCancellationRequested();
        // Prepare the messages before publishing the entry, so a conversation is never seen half created.
        var entry = NewEntry(conversation, StoreRules.Normalize(_timeProvider.GetUtcNow()), nameof(conversation));
        if (!_entries.TryAdd(conversation.Id, entry))
        {
            throw StoreRules.AlreadyExists(conversation.Id);
        }

        lock (entry.Gate)
        {
            return Task.FromResult(entry.Snapshot(includeMessages: true));
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Atomic: every conversation is checked and prepared first; then all are published while their locks are held, so
    /// a reader that finds one waits until the batch is complete; when an id is taken (by a concurrent create), those
    /// already published are withdrawn before any reader sees them.
    /// </remarks>
    public Task<IReadOnlyList<Conversation>> CreateManyAsync(IReadOnlyList<Conversation> conversations, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckBatch(conversations, nameof(conversations));
        cancellationToken.ThrowIfCancellationRequested();
        var now = StoreRules.Normalize(_timeProvider.GetUtcNow());
        var entries = new Entry[conversations.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = NewEntry(conversations[i], now, nameof(conversations));
        }

        int locked = 0, published = 0;
        try
        {
            for (; locked < entries.Length; locked++)
            {
                // Fresh locks nobody else can hold yet: taking them in any order cannot deadlock.
                entries[locked].Gate.Enter();
            }

            for (; published < entries.Length; published++)
            {
                if (!_entries.TryAdd(entries[published].Id, entries[published]))
                {
                    for (int i = 0; i < published; i++)
                    {
                        entries[i].Deleted = true;
                        _entries.TryRemove(new KeyValuePair<string, Entry>(entries[i].Id, entries[i]));
                    }

                    throw StoreRules.AlreadyExists(entries[published].Id);
                }
            }

            var created = new Conversation[entries.Length];
            for (int i = 0; i < entries.Length; i++)
            {
                created[i] = entries[i].Snapshot(includeMessages: true);
            }

            return Task.FromResult<IReadOnlyList<Conversation>>(created);
        }
        finally
        {
            for (int i = 0; i < locked; i++)
            {
                entries[i].Gate.Exit();
            }
        }
    }

    /// <inheritdoc/>
    public Task<Conversation?> GetAsync(string id, bool includeMessages = true, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckId(id, nameof(id));
        cancellationToken.ThrowIfCancellationRequested();
        if (!_entries.TryGetValue(id, out var entry))
        {
            return Task.FromResult<Conversation?>(null);
        }

        lock (entry.Gate)
        {
            return Task.FromResult(entry.Deleted ? null : entry.Snapshot(includeMessages));
        }
    }

    /// <inheritdoc/>
    public Task<long> AppendAsync(string id, IReadOnlyList<ConversationMessage> messages, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckId(id, nameof(id));
        ArgumentNullException.ThrowIfNull(messages);
        var callIds = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < messages.Count; i++)
        {
            if (messages[i]?.Message is null)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Message {i} of the append is null or has no ChatMessage."), nameof(messages));
            }

            if (messages[i].Message.MessageId is { Length: > 0 } messageId && !callIds.Add(messageId))
            {
                throw new ArgumentException($"Two messages of the call have id '{messageId}'. Give each message its own id.", nameof(messages));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var entry = Find(id);
        var now = StoreRules.Normalize(_timeProvider.GetUtcNow());
        lock (entry.Gate)
        {
            if (entry.Deleted)
            {
                throw NotFound(id);
            }

            var prepared = Prepare(entry, messages, now);
            if (prepared.Count == 0)
            {
                // Every message is already stored: a retried append, which changes nothing.
                return Task.FromResult(entry.Version);
            }

            CheckVersion(entry, expectedVersion);
            entry.Add(prepared);
            entry.UpdatedAt = now;
            entry.Version++;
            return Task.FromResult(entry.Version);
        }
    }

    /// <inheritdoc/>
    public Task<long> UpdateAsync(string id, ConversationUpdate update, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckId(id, nameof(id));
        ArgumentNullException.ThrowIfNull(update);
        string[]? tags = update.Tags is null ? null : CopyTags(update.Tags, nameof(update));
        StoreRules.CheckMetadataKeys(update.Metadata?.Keys, nameof(update));
        var auxiliary = StoreRules.AuxiliaryOf(update, nameof(update));
        cancellationToken.ThrowIfCancellationRequested();
        var entry = Find(id);
        lock (entry.Gate)
        {
            if (entry.Deleted)
            {
                throw NotFound(id);
            }

            CheckVersion(entry, expectedVersion);
            if (update.Title is null && tags is null && update.Metadata is null && !auxiliary.Any)
            {
                // Nothing to change: the version stays.
                return Task.FromResult(entry.Version);
            }

            if (update.Title is not null)
            {
                entry.Title = update.Title;
            }

            if (tags is not null)
            {
                entry.Tags = tags;
            }

            if (update.Metadata is not null)
            {
                foreach (var (key, value) in update.Metadata)
                {
                    if (value is null)
                    {
                        entry.Metadata.Remove(key);
                    }
                    else
                    {
                        entry.Metadata[key] = value;
                    }
                }
            }

            entry.AddAuxiliary(auxiliary);
            entry.UpdatedAt = StoreRules.Normalize(_timeProvider.GetUtcNow());
            entry.Version++;
            return Task.FromResult(entry.Version);
        }
    }

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckId(id, nameof(id));
        cancellationToken.ThrowIfCancellationRequested();
        if (!_entries.TryRemove(id, out var entry))
        {
            return Task.FromResult(false);
        }

        lock (entry.Gate)
        {
            // An entry withdrawn by a failed CreateManyAsync never existed.
            bool existed = !entry.Deleted;
            entry.Deleted = true;
            return Task.FromResult(existed);
        }
    }

    /// <inheritdoc/>
    public Task<ConversationPage> ListAsync(ConversationQuery query, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckQuery(query, nameof(query));
        cancellationToken.ThrowIfCancellationRequested();
        (long Ticks, string Id)? after = null;
        if (query.ContinuationToken is { } token)
        {
            var (updatedAt, afterId) = StoreRules.DecodeToken(token);
            after = (updatedAt.UtcTicks, afterId);
        }

        var matches = new List<Conversation>();
        foreach (var entry in _entries.Values)
        {
            lock (entry.Gate)
            {
                if (entry.Deleted || !Matches(entry, query))
                {
                    continue;
                }

                if (after is { } key && CompareKey(entry.UpdatedAt.UtcTicks, entry.Id, key.Ticks, key.Id) >= 0)
                {
                    continue;
                }

                matches.Add(entry.Snapshot(includeMessages: false));
            }
        }

        // Newest update first; the id breaks ties so the key is unique.
        matches.Sort(static (a, b) => CompareKey(b.UpdatedAt.UtcTicks, b.Id, a.UpdatedAt.UtcTicks, a.Id));
        string? next = null;
        if (matches.Count > query.PageSize)
        {
            matches.RemoveRange(query.PageSize, matches.Count - query.PageSize);
            var last = matches[^1];
            next = StoreRules.EncodeToken(last.UpdatedAt, last.Id);
        }

        return Task.FromResult(new ConversationPage { Items = matches, ContinuationToken = next });
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ConversationSearchHit>> SearchAsync(string text, ConversationQuery? query = null, CancellationToken cancellationToken = default)
    {
        List<string> terms = StoreRules.SearchTerms(text, nameof(text));
        query ??= new ConversationQuery();
        StoreRules.CheckQuery(query, nameof(query));
        cancellationToken.ThrowIfCancellationRequested();
        var hits = new List<ConversationSearchHit>();
        foreach (var entry in _entries.Values)
        {
            lock (entry.Gate)
            {
                if (entry.Deleted || !Matches(entry, query))
                {
                    continue;
                }

                ConversationSearchHit? best = null;
                if (entry.Title is { } title && Score(title, terms) is > 0 and var titleScore)
                {
                    best = new ConversationSearchHit { ConversationId = entry.Id, Title = title, Snippet = Snippet(title, terms[0]), Rank = titleScore * 2 };
                }

                foreach (var message in entry.Messages)
                {
                    int score = Score(message.Text, terms);
                    if (score > 0 && (best is null || score > best.Rank))
                    {
                        best = new ConversationSearchHit { ConversationId = entry.Id, Title = entry.Title, MessageId = message.MessageId, Snippet = Snippet(message.Text, terms[0]), Rank = score };
                    }
                }

                if (best is not null)
                {
                    hits.Add(best);
                }
            }
        }

        hits.Sort(static (a, b) => b.Rank != a.Rank ? b.Rank.CompareTo(a.Rank) : string.CompareOrdinal(a.ConversationId, b.ConversationId));
        if (hits.Count > query.PageSize)
        {
            hits.RemoveRange(query.PageSize, hits.Count - query.PageSize);
        }

        return Task.FromResult<IReadOnlyList<ConversationSearchHit>>(hits);
    }

    /// <inheritdoc/>
    public Task<ConversationStatistics> GetStatisticsAsync(ConversationQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new ConversationQuery();
        StoreRules.CheckQuery(query with { PageSize = 1 }, nameof(query));
        cancellationToken.ThrowIfCancellationRequested();
        long conversations = 0, messages = 0, input = 0, output = 0, auxiliaryInput = 0, auxiliaryOutput = 0, auxiliaryUnknown = 0;
        decimal cost = 0m, auxiliaryCost = 0m;
        var tags = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var entry in _entries.Values)
        {
            lock (entry.Gate)
            {
                if (entry.Deleted || !Matches(entry, query))
                {
                    continue;
                }

                conversations++;
                messages += entry.Messages.Count;
                input += entry.InputTokens;
                output += entry.OutputTokens;
                cost += entry.CostUsd;
                auxiliaryInput += entry.AuxiliaryInputTokens;
                auxiliaryOutput += entry.AuxiliaryOutputTokens;
                auxiliaryCost += entry.AuxiliaryCostUsd;
                auxiliaryUnknown += entry.AuxiliaryUnknownCostCalls;
                foreach (string tag in entry.Tags)
                {
                    tags[tag] = tags.GetValueOrDefault(tag) + 1;
                }
            }
        }

        var top = tags.ToList();
        top.Sort(static (a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        if (top.Count > TopTagCount)
        {
            top.RemoveRange(TopTagCount, top.Count - TopTagCount);
        }

        return Task.FromResult(new ConversationStatistics
        {
            Conversations = conversations,
            Messages = messages,
            InputTokens = input,
            OutputTokens = output,
            CostUsd = cost,
            AuxiliaryInputTokens = auxiliaryInput,
            AuxiliaryOutputTokens = auxiliaryOutput,
            AuxiliaryCostUsd = auxiliaryCost,
            AuxiliaryUnknownCostCalls = auxiliaryUnknown,
            TopTags = top,
        });
    }

    private Entry Find(string id) => _entries.TryGetValue(id, out var entry) ? entry : throw NotFound(id);

    /// <summary>Checks a conversation to create and builds its entry, messages included, without publishing it.</summary>
    private static Entry NewEntry(Conversation conversation, DateTimeOffset now, string paramName)
    {
        var tags = StoreRules.CheckConversation(conversation, paramName);
        var auxiliary = StoreRules.AuxiliaryOf(conversation, paramName);
        var createdAt = conversation.CreatedAt == default ? now : StoreRules.Normalize(conversation.CreatedAt);
        var entry = new Entry(conversation.Id)
        {
            Title = conversation.Title,
            TenantId = conversation.TenantId,
            UserId = conversation.UserId,
            Model = conversation.Model,
            Tags = [.. tags],
            CreatedAt = createdAt,
            UpdatedAt = conversation.UpdatedAt == default ? createdAt : StoreRules.Normalize(conversation.UpdatedAt),
            Version = 1,
        };
        foreach (var (key, value) in conversation.Metadata)
        {
            entry.Metadata[key] = value;
        }

        entry.Add(Prepare(entry, conversation.Messages, now));
        entry.AddAuxiliary(auxiliary);
        return entry;
    }

    private static ConversationNotFoundException NotFound(string id) => ConversationNotFoundException.ForId(id);

    private static void CheckVersion(Entry entry, long? expectedVersion)
    {
        if (expectedVersion is { } expected && expected != entry.Version)
        {
            throw new ConcurrencyConflictException(entry.Id, expected, entry.Version);
        }
    }

    /// <summary>Serialises the messages not yet stored (by id, also within the batch), assigning ids, times and sequences.</summary>
    private static List<StoredMessage> Prepare(Entry entry, IReadOnlyList<ConversationMessage> messages, DateTimeOffset now)
    {
        var prepared = new List<StoredMessage>(messages.Count);
        HashSet<string>? batch = null;
        long sequence = entry.Messages.Count;
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message?.Message, nameof(messages));
            var chat = message.Message;
            string messageId = string.IsNullOrEmpty(chat.MessageId) ? Guid.NewGuid().ToString("N") : chat.MessageId;
            StoreRules.CheckMessage(message, messageId, nameof(messages));
            if (!(batch ??= new HashSet<string>(StringComparer.Ordinal)).Add(messageId))
            {
                throw new ArgumentException($"Two messages of the call have id '{messageId}'. Give each message its own id.", nameof(messages));
            }

            if (entry.Ids.Contains(messageId))
            {
                continue;
            }

            // Serialise a copy that carries the id and time, without changing the caller's message.
            var copy = chat.Clone();
            copy.MessageId = messageId;
            copy.CreatedAt = StoreRules.Normalize(chat.CreatedAt ?? now);
            prepared.Add(new StoredMessage
            {
                MessageId = messageId,
                Stored = StoredChatMessage.Create(copy),
                Text = chat.Text,
                Sequence = ++sequence,
                Status = message.Status,
                Usage = CopyUsage(message.Usage),
                Cost = message.Cost,
                Model = message.Model,
            });
        }

        return prepared;
    }

    private static UsageDetails? CopyUsage(UsageDetails? usage)
    {
        if (usage is null)
        {
            return null;
        }

        var copy = new UsageDetails();
        copy.Add(usage);
        return copy;
    }

    private static string[] CopyTags(IReadOnlyList<string>? tags, string paramName)
        => tags is null || tags.Count == 0 ? [] : [.. StoreRules.CheckTags(tags, paramName)];

    private static bool Matches(Entry entry, ConversationQuery query)
    {
        if (query.TenantId is not null && !string.Equals(entry.TenantId, query.TenantId, StringComparison.Ordinal))
        {
            return false;
        }

        if (query.UserId is not null && !string.Equals(entry.UserId, query.UserId, StringComparison.Ordinal))
        {
            return false;
        }

        if (query.UpdatedAfter is { } from && entry.UpdatedAt < StoreRules.Normalize(from))
        {
            return false;
        }

        if (query.UpdatedBefore is { } to && entry.UpdatedAt >= StoreRules.Normalize(to))
        {
            return false;
        }

        if (query.CreatedAfter is { } createdFrom && entry.CreatedAt < StoreRules.Normalize(createdFrom))
        {
            return false;
        }

        if (query.CreatedBefore is { } createdTo && entry.CreatedAt >= StoreRules.Normalize(createdTo))
        {
            return false;
        }

        foreach (string tag in query.Tags)
        {
            if (Array.IndexOf(entry.Tags, tag) < 0)
            {
                return false;
            }
        }

        return true;
    }

    private static int CompareKey(long ticksA, string idA, long ticksB, string idB)
    {
        int byTime = ticksA.CompareTo(ticksB);
        return byTime != 0 ? byTime : string.CompareOrdinal(idA, idB);
    }

    /// <summary>Counts the whole-word occurrences of the terms in <paramref name="text"/>; 0 when a term is missing.</summary>
    private static int Score(string text, List<string> terms)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        Span<int> counts = terms.Count <= 32 ? stackalloc int[terms.Count] : new int[terms.Count];
        int total = 0;
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool inWord = i < text.Length && (char.IsLetterOrDigit(text[i]) || char.IsSurrogate(text[i]));
            if (inWord)
            {
                if (start < 0)
                {
                    start = i;
                }

                continue;
            }

            if (start >= 0)
            {
                var word = text.AsSpan(start, i - start);
                for (int t = 0; t < terms.Count; t++)
                {
                    if (word.Equals(terms[t], StringComparison.OrdinalIgnoreCase))
                    {
                        counts[t]++;
                        total++;
                    }
                }

                start = -1;
            }
        }

        foreach (int count in counts)
        {
            if (count == 0)
            {
                return 0;
            }
        }

        return total;
    }

    private static string Snippet(string text, string term)
    {
        if (text.Length <= SnippetLength)
        {
            return text;
        }

        int at = Math.Max(0, text.IndexOf(term, StringComparison.OrdinalIgnoreCase));
        int start = Math.Clamp(at - (SnippetLength / 3), 0, text.Length - SnippetLength);
        return string.Concat(start > 0 ? "…" : string.Empty, text.AsSpan(start, SnippetLength), start + SnippetLength < text.Length ? "…" : string.Empty);
    }

    private sealed class StoredMessage
    {
        public required string MessageId { get; init; }

        public required StoredChatMessage Stored { get; init; }

        public required string Text { get; init; }

        public long Sequence { get; init; }

        public ConversationMessageStatus Status { get; init; }

        public UsageDetails? Usage { get; init; }

        public CallCost? Cost { get; init; }

        public string? Model { get; init; }

        public ConversationMessage ToMessage() => new()
        {
            Message = Stored.Read(),
            Sequence = Sequence,
            Status = Status,
            Usage = CopyUsage(Usage),
            Cost = Cost,
            Model = Model,
        };
    }

    private sealed class Entry(string id)
    {
        public Lock Gate { get; } = new();

        public string Id { get; } = id;

        public string? Title { get; set; }

        public string? TenantId { get; init; }

        public string? UserId { get; init; }

        public string[] Tags { get; set; } = [];

        public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset CreatedAt { get; init; }

        public DateTimeOffset UpdatedAt { get; set; }

        public string? Model { get; set; }

        public long InputTokens { get; set; }

        public long OutputTokens { get; set; }

        public decimal CostUsd { get; set; }

        public long AuxiliaryInputTokens { get; set; }

        public long AuxiliaryOutputTokens { get; set; }

        public decimal AuxiliaryCostUsd { get; set; }

        public long AuxiliaryUnknownCostCalls { get; set; }

        public long Version { get; set; }

        public bool Deleted { get; set; }

        public List<StoredMessage> Messages { get; } = [];

        public HashSet<string> Ids { get; } = new(StringComparer.Ordinal);

        public void Add(List<StoredMessage> messages)
        {
            foreach (var message in messages)
            {
                Messages.Add(message);
                Ids.Add(message.MessageId);
                if (message.Usage is { } usage)
                {
                    InputTokens += usage.InputTokenCount ?? 0;
                    OutputTokens += usage.OutputTokenCount ?? 0;
                }

                if (message.Cost?.Total is { } cost)
                {
                    CostUsd += cost;
                }

                if (message.Model is not null)
                {
                    Model = message.Model;
                }
            }
        }

        /// <summary>Adds an auxiliary call's totals to the conversation's totals and to its auxiliary part.</summary>
        public void AddAuxiliary(AuxiliaryTotals auxiliary)
        {
            InputTokens += auxiliary.InputTokens;
            OutputTokens += auxiliary.OutputTokens;
            CostUsd += auxiliary.CostUsd;
            AuxiliaryInputTokens += auxiliary.InputTokens;
            AuxiliaryOutputTokens += auxiliary.OutputTokens;
            AuxiliaryCostUsd += auxiliary.CostUsd;
            AuxiliaryUnknownCostCalls += auxiliary.UnknownCostCalls;
        }

        public Conversation Snapshot(bool includeMessages)
        {
            ConversationMessage[] messages = [];
            if (includeMessages && Messages.Count > 0)
            {
                messages = new ConversationMessage[Messages.Count];
                for (int i = 0; i < messages.Length; i++)
                {
                    messages[i] = Messages[i].ToMessage();
                }
            }

            return new Conversation
            {
                Id = Id,
                Title = Title,
                TenantId = TenantId,
                UserId = UserId,
                Tags = [.. Tags],
                Metadata = new Dictionary<string, string>(Metadata, StringComparer.Ordinal),
                CreatedAt = CreatedAt,
                UpdatedAt = UpdatedAt,
                Model = Model,
                InputTokens = InputTokens,
                OutputTokens = OutputTokens,
                CostUsd = CostUsd,
                AuxiliaryInputTokens = AuxiliaryInputTokens,
                AuxiliaryOutputTokens = AuxiliaryOutputTokens,
                AuxiliaryCostUsd = AuxiliaryCostUsd,
                AuxiliaryUnknownCostCalls = AuxiliaryUnknownCostCalls,
                Version = Version,
                MessageCount = Messages.Count,
                Messages = messages,
            };
        }
    }
}
