using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace LlmKit;

/// <summary>
/// An <see cref="IConversationStore"/> on an embedded SQLite database file: WAL journal, a 30-second busy timeout,
/// versioned schema migrations applied on first use, FTS5 full-text search over titles and message text, keyset
/// paging, optimistic concurrency and appends idempotent by message id. Writers run in <c>BEGIN IMMEDIATE</c>
/// transactions and queue per file within the process, so concurrent appends never lose or duplicate a message.
/// </summary>
/// <remarks>
/// Costs are kept to 10<sup>-10</sup> USD. Share one database file between the conversation store and the usage
/// ledger; several processes on one machine may use the same file.
/// </remarks>
public sealed class SqliteConversationStore : IConversationStore
{
    private const decimal CostUnitsPerUsd = 10_000_000_000m;
    private const string ConversationColumns = "c.id, c.title, c.tenant_id, c.user_id, c.tags, c.metadata, c.created_at, c.updated_at, c.model, c.input_tokens, c.output_tokens, c.cost_units, c.version, c.message_count, c.aux_input_tokens, c.aux_output_tokens, c.aux_cost_units, c.aux_unknown_cost_calls";

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="connectionString">The SQLite connection string, for example <c>Data Source=llmkit.db</c>; the file is created when missing.</param>
    /// <param name="timeProvider">The clock for creation and update times. Defaults to <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    /// <exception cref="LlmKitConfigurationException">The connection string cannot be parsed or names an in-memory database.</exception>
    public SqliteConversationStore(string connectionString, TimeProvider? timeProvider = null)
    {
        _database = new SqliteDatabase(connectionString);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string DataSource => _database.DataSource;

    /// <summary>Gets the background WAL checkpoint of this file in flight (or the last one). For tests.</summary>
    internal Task BackgroundCheckpoint => _database.BackgroundCheckpoint;

    /// <summary>Creates or upgrades the schema now instead of on first use.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    /// <exception cref="StoreUnavailableException">The file cannot be opened or has a newer schema.</exception>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => _database.MigrateAsync(cancellationToken);

    /// <inheritdoc/>
    public Task<Conversation> CreateAsync(Conversation conversation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        var create = PrepareCreate(conversation, StoreRules.Normalize(_timeProvider.GetUtcNow()), nameof(conversation));
        return _database.WriteAsync((connection, transaction) => Insert(connection, transaction, create), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Atomic: every conversation is checked first, then all are written in one transaction, rolled back when one fails.</remarks>
    public Task<IReadOnlyList<Conversation>> CreateManyAsync(IReadOnlyList<Conversation> conversations, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckBatch(conversations, nameof(conversations));
        var now = StoreRules.Normalize(_timeProvider.GetUtcNow());
        var creates = new NewConversation[conversations.Count];
        for (int i = 0; i < creates.Length; i++)
        {
            creates[i] = PrepareCreate(conversations[i], now, nameof(conversations));
        }

        return _database.WriteAsync<IReadOnlyList<Conversation>>((connection, transaction) =>
        {
            var created = new Conversation[creates.Length];
            for (int i = 0; i < creates.Length; i++)
            {
                created[i] = Insert(connection, transaction, creates[i]);
            }

            return created;
        }, cancellationToken);
    }

    /// <summary>Checks a conversation to create and computes what its rows hold.</summary>
    private static NewConversation PrepareCreate(Conversation conversation, DateTimeOffset now, string paramName)
    {
        var draft = StoreRules.Draft(conversation, now, paramName);
        long auxiliaryCostUnits = ToUnits(draft.Auxiliary.CostUsd);
        long costUnits = auxiliaryCostUnits;
        foreach (var m in draft.Messages)
        {
            costUnits += ToUnits(m.Cost);
        }

        return new NewConversation(draft, auxiliaryCostUnits, costUnits);
    }

    /// <summary>Writes a checked conversation in the caller's transaction.</summary>
    private static Conversation Insert(SqliteConnection connection, SqliteTransaction transaction, NewConversation create)
    {
        var ((conversation, tags, messages, createdAt, updatedAt, metadata, auxiliary, inputTokens, outputTokens, model), auxiliaryCostUnits, costUnits) = create;
        using (var exists = SqliteDatabase.Command(connection, transaction, "SELECT 1 FROM llmkit_conversations WHERE id = $id;"))
        {
            exists.Parameters.AddWithValue("$id", conversation.Id);
            if (exists.ExecuteScalar() is not null)
            {
                throw StoreRules.AlreadyExists(conversation.Id);
            }
        }

        long pk;
        using (var insert = SqliteDatabase.Command(connection, transaction, """
            INSERT INTO llmkit_conversations (id, title, tenant_id, user_id, tags, metadata, created_at, updated_at, model, input_tokens, output_tokens, cost_units, message_count, version,
                aux_input_tokens, aux_output_tokens, aux_cost_units, aux_unknown_cost_calls)
            VALUES ($id, $title, $tenant, $user, $tags, $metadata, $created, $updated, $model, $input, $output, $cost, $count, 1, $auxInput, $auxOutput, $auxCost, $auxUnknown)
            RETURNING pk;
            """))
        {
            insert.Parameters.AddWithValue("$id", conversation.Id);
            insert.Parameters.AddWithValue("$title", (object?)conversation.Title ?? DBNull.Value);
            insert.Parameters.AddWithValue("$tenant", (object?)conversation.TenantId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$user", (object?)conversation.UserId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$tags", JsonSerializer.Serialize(tags, StoreJsonContext.Default.ListString));
            insert.Parameters.AddWithValue("$metadata", JsonSerializer.Serialize(metadata, StoreJsonContext.Default.DictionaryStringString));
            insert.Parameters.AddWithValue("$created", createdAt.UtcTicks);
            insert.Parameters.AddWithValue("$updated", updatedAt.UtcTicks);
            insert.Parameters.AddWithValue("$model", (object?)model ?? DBNull.Value);
            insert.Parameters.AddWithValue("$input", inputTokens);
            insert.Parameters.AddWithValue("$output", outputTokens);
            insert.Parameters.AddWithValue("$cost", costUnits);
            insert.Parameters.AddWithValue("$count", messages.Count);
            insert.Parameters.AddWithValue("$auxInput", auxiliary.InputTokens);
            insert.Parameters.AddWithValue("$auxOutput", auxiliary.OutputTokens);
            insert.Parameters.AddWithValue("$auxCost", auxiliaryCostUnits);
            insert.Parameters.AddWithValue("$auxUnknown", auxiliary.UnknownCostCalls);
            pk = (long)insert.ExecuteScalar()!;
        }

        InsertTags(connection, transaction, pk, tags);
        InsertMessages(connection, transaction, pk, 0, messages);
        return StoreRules.Created(conversation, tags, metadata, createdAt, updatedAt, model, inputTokens, outputTokens, costUnits / CostUnitsPerUsd, auxiliary, auxiliaryCostUnits / CostUnitsPerUsd, ToMessages(messages));
    }

    /// <inheritdoc/>
    public Task<Conversation?> GetAsync(string id, bool includeMessages = true, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckId(id, nameof(id));
        return _database.ReadAsync<Conversation?>((connection, transaction) =>
        {
            long pk;
            Conversation conversation;
            using (var select = SqliteDatabase.Command(connection, transaction, $"SELECT c.pk, {ConversationColumns} FROM llmkit_conversations c WHERE c.id = $id;"))
            {
                select.Parameters.AddWithValue("$id", id);
                using var reader = select.ExecuteReader();
                if (!reader.Read())
                {
                    return null;
                }

                pk = reader.GetInt64(0);
                conversation = ReadConversation(reader, 1);
            }

            if (!includeMessages)
            {
                return conversation;
            }

            var messages = new List<ConversationMessage>();
            using (var select = SqliteDatabase.Command(connection, transaction, "SELECT seq, body FROM llmkit_messages WHERE conversation_pk = $pk ORDER BY seq;"))
            {
                select.Parameters.AddWithValue("$pk", pk);
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    messages.Add(ConversationJson.DeserializeMessage(reader.GetString(1)) with { Sequence = reader.GetInt64(0) });
                }
            }

            return conversation with { Messages = messages };
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<long> AppendAsync(string id, IReadOnlyList<ConversationMessage> messages, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckId(id, nameof(id));
        var now = StoreRules.Normalize(_timeProvider.GetUtcNow());
        var prepared = StoreRules.Prepare(messages, now, nameof(messages));
        return _database.WriteAsync((connection, transaction) =>
        {
            var (pk, version, count) = ReadVersion(connection, transaction, id);
            var fresh = new List<PreparedMessage>(prepared.Count);
            using (var exists = SqliteDatabase.Command(connection, transaction, "SELECT 1 FROM llmkit_messages WHERE conversation_pk = $pk AND message_id = $mid;"))
            {
                var pkParameter = exists.Parameters.AddWithValue("$pk", pk);
                var midParameter = exists.Parameters.Add("$mid", SqliteType.Text);
                foreach (var m in prepared)
                {
                    midParameter.Value = m.MessageId;
                    if (exists.ExecuteScalar() is null)
                    {
                        fresh.Add(m);
                    }
                }
            }

            if (fresh.Count == 0)
            {
                return version;
            }

            if (expectedVersion is { } expected && expected != version)
            {
                throw new ConcurrencyConflictException(id, expected, version);
            }

            InsertMessages(connection, transaction, pk, count, fresh);
            long input = 0, output = 0, cost = 0;
            string? model = null;
            foreach (var m in fresh)
            {
                input += m.InputTokens;
                output += m.OutputTokens;
                cost += ToUnits(m.Cost);
                model = m.Model ?? model;
            }

            using var update = SqliteDatabase.Command(connection, transaction, """
                UPDATE llmkit_conversations SET version = version + 1, updated_at = $now, message_count = message_count + $count,
                    input_tokens = input_tokens + $input, output_tokens = output_tokens + $output, cost_units = cost_units + $cost,
                    model = coalesce($model, model)
                WHERE pk = $pk;
                """);
            update.Parameters.AddWithValue("$now", now.UtcTicks);
            update.Parameters.AddWithValue("$count", fresh.Count);
            update.Parameters.AddWithValue("$input", input);
            update.Parameters.AddWithValue("$output", output);
            update.Parameters.AddWithValue("$cost", cost);
            update.Parameters.AddWithValue("$model", (object?)model ?? DBNull.Value);
            update.Parameters.AddWithValue("$pk", pk);
            update.ExecuteNonQuery();
            return version + 1;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<long> UpdateAsync(string id, ConversationUpdate update, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckId(id, nameof(id));
        ArgumentNullException.ThrowIfNull(update);
        var tags = update.Tags is null ? null : StoreRules.CheckTags(update.Tags, nameof(update));
        StoreRules.CheckMetadataKeys(update.Metadata?.Keys, nameof(update));

        var auxiliary = StoreRules.AuxiliaryOf(update, nameof(update));
        long auxiliaryCostUnits = ToUnits(auxiliary.CostUsd);
        var now = StoreRules.Normalize(_timeProvider.GetUtcNow());
        return _database.WriteAsync((connection, transaction) =>
        {
            var (pk, version, _) = ReadVersion(connection, transaction, id);
            if (expectedVersion is { } expected && expected != version)
            {
                throw new ConcurrencyConflictException(id, expected, version);
            }

            if (update.Title is null && tags is null && update.Metadata is null && !auxiliary.Any)
            {
                return version;
            }

            string? metadataJson = null;
            if (update.Metadata is { } changes)
            {
                Dictionary<string, string> metadata;
                using (var select = SqliteDatabase.Command(connection, transaction, "SELECT metadata FROM llmkit_conversations WHERE pk = $pk;"))
                {
                    select.Parameters.AddWithValue("$pk", pk);
                    metadata = JsonSerializer.Deserialize((string)select.ExecuteScalar()!, StoreJsonContext.Default.DictionaryStringString)!;
                }

                foreach (var (key, value) in changes)
                {
                    if (value is null)
                    {
                        metadata.Remove(key);
                    }
                    else
                    {
                        metadata[key] = value;
                    }
                }

                metadataJson = JsonSerializer.Serialize(metadata, StoreJsonContext.Default.DictionaryStringString);
            }

            using (var command = SqliteDatabase.Command(connection, transaction, """
                UPDATE llmkit_conversations SET version = version + 1, updated_at = $now,
                    title = CASE WHEN $setTitle THEN $title ELSE title END,
                    tags = coalesce($tags, tags),
                    metadata = coalesce($metadata, metadata),
                    input_tokens = input_tokens + $auxInput, output_tokens = output_tokens + $auxOutput, cost_units = cost_units + $auxCost,
                    aux_input_tokens = aux_input_tokens + $auxInput, aux_output_tokens = aux_output_tokens + $auxOutput,
                    aux_cost_units = aux_cost_units + $auxCost, aux_unknown_cost_calls = aux_unknown_cost_calls + $auxUnknown
                WHERE pk = $pk;
                """))
            {
                command.Parameters.AddWithValue("$auxInput", auxiliary.InputTokens);
                command.Parameters.AddWithValue("$auxOutput", auxiliary.OutputTokens);
                command.Parameters.AddWithValue("$auxCost", auxiliaryCostUnits);
                command.Parameters.AddWithValue("$auxUnknown", auxiliary.UnknownCostCalls);
                command.Parameters.AddWithValue("$now", now.UtcTicks);
                command.Parameters.AddWithValue("$setTitle", update.Title is not null);
                command.Parameters.AddWithValue("$title", (object?)update.Title ?? DBNull.Value);
                command.Parameters.AddWithValue("$tags", tags is null ? DBNull.Value : JsonSerializer.Serialize(tags, StoreJsonContext.Default.ListString));
                command.Parameters.AddWithValue("$metadata", (object?)metadataJson ?? DBNull.Value);
                command.Parameters.AddWithValue("$pk", pk);
                command.ExecuteNonQuery();
            }

            if (tags is not null)
            {
                using (var delete = SqliteDatabase.Command(connection, transaction, "DELETE FROM llmkit_conversation_tags WHERE conversation_pk = $pk;"))
                {
                    delete.Parameters.AddWithValue("$pk", pk);
                    delete.ExecuteNonQuery();
                }

                InsertTags(connection, transaction, pk, tags);
            }

            return version + 1;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckId(id, nameof(id));
        return _database.WriteAsync((connection, transaction) =>
        {
            using var delete = SqliteDatabase.Command(connection, transaction, "DELETE FROM llmkit_conversations WHERE id = $id;");
            delete.Parameters.AddWithValue("$id", id);
            return delete.ExecuteNonQuery() > 0;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ConversationPage> ListAsync(ConversationQuery query, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckQuery(query, nameof(query));
        var after = query.ContinuationToken is { } token ? StoreRules.DecodeToken(token) : ((DateTimeOffset, string)?)null;
        return _database.ReadAsync((connection, transaction) =>
        {
            using var select = SqliteDatabase.Command(connection, transaction, string.Empty);
            var sql = new StringBuilder($"SELECT {ConversationColumns} FROM llmkit_conversations c WHERE 1 = 1");
            SqliteFilter.Append(sql, select, query);
            if (after is var (updatedAt, lastId))
            {
                sql.Append(" AND (c.updated_at < $afterUpdated OR (c.updated_at = $afterUpdated AND c.id < $afterId))");
                select.Parameters.AddWithValue("$afterUpdated", updatedAt.UtcTicks);
                select.Parameters.AddWithValue("$afterId", lastId);
            }

            sql.Append(" ORDER BY c.updated_at DESC, c.id DESC LIMIT $limit;");
            select.Parameters.AddWithValue("$limit", query.PageSize + 1);
            select.CommandText = sql.ToString();
            var items = new List<Conversation>(Math.Min(query.PageSize, 64));
            bool more = false;
            using (var reader = select.ExecuteReader())
            {
                while (reader.Read())
                {
                    if (items.Count == query.PageSize)
                    {
                        more = true;
                        break;
                    }

                    items.Add(ReadConversation(reader, 0));
                }
            }

            return new ConversationPage
            {
                Items = items,
                ContinuationToken = more ? StoreRules.EncodeToken(items[^1].UpdatedAt, items[^1].Id) : null,
            };
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ConversationSearchHit>> SearchAsync(string text, ConversationQuery? query = null, CancellationToken cancellationToken = default)
    {
        var terms = StoreRules.SearchTerms(text, nameof(text));
        query ??= new ConversationQuery();
        StoreRules.CheckQuery(query, nameof(query));
        var match = new StringBuilder();
        foreach (string term in terms)
        {
            match.Append(match.Length == 0 ? "\"" : " \"").Append(term).Append('"');
        }

        return _database.ReadAsync<IReadOnlyList<ConversationSearchHit>>((connection, transaction) =>
        {
            // First the best hit per conversation by bm25, reading each match's conversation and message id from a small
            // covering index instead of its (large) row; then the snippets of the returned hits only.
            var rows = new List<(string Id, string? Title, string? MessageId, long RowId, double Score)>();
            using (var select = SqliteDatabase.Command(connection, transaction, string.Empty))
            {
                var sql = new StringBuilder("""
                    WITH hits AS (
                        SELECT m.conversation_pk AS cpk, m.message_id AS mid, f.rid AS rid, f.score AS score
                        FROM (SELECT rowid AS rid, bm25(llmkit_messages_fts) AS score FROM llmkit_messages_fts WHERE llmkit_messages_fts MATCH $match) f
                        JOIN llmkit_messages m INDEXED BY ix_llmkit_messages_search_lookup ON m.id = f.rid
                        UNION ALL
                        SELECT rowid, NULL, rowid, bm25(llmkit_titles_fts) FROM llmkit_titles_fts WHERE llmkit_titles_fts MATCH $match
                    ), best AS (
                        SELECT cpk, mid, rid, score, row_number() OVER (PARTITION BY cpk ORDER BY score, mid IS NOT NULL, mid) AS rn FROM hits
                    )
                    SELECT c.id, c.title, b.mid, b.rid, b.score FROM best b JOIN llmkit_conversations c ON c.pk = b.cpk
                    WHERE b.rn = 1
                    """);
                select.Parameters.AddWithValue("$match", match.ToString());
                SqliteFilter.Append(sql, select, query);
                sql.Append(" ORDER BY b.score, c.id LIMIT $limit;");
                select.Parameters.AddWithValue("$limit", query.PageSize);
                select.CommandText = sql.ToString();
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3), reader.GetDouble(4)));
                }
            }

            var messageSnippets = Snippets(connection, transaction, "llmkit_messages_fts", match.ToString(), rows.Where(r => r.MessageId is not null).Select(r => r.RowId));
            var titleSnippets = Snippets(connection, transaction, "llmkit_titles_fts", match.ToString(), rows.Where(r => r.MessageId is null).Select(r => r.RowId));
            var hits = new List<ConversationSearchHit>(rows.Count);
            foreach (var r in rows)
            {
                hits.Add(new ConversationSearchHit
                {
                    ConversationId = r.Id,
                    Title = r.Title,
                    MessageId = r.MessageId,
                    Snippet = (r.MessageId is null ? titleSnippets : messageSnippets).GetValueOrDefault(r.RowId, string.Empty),
                    Rank = -r.Score,
                });
            }

            return hits;
        }, cancellationToken);
    }

    private static Dictionary<long, string> Snippets(SqliteConnection connection, SqliteTransaction transaction, string table, string match, IEnumerable<long> rowIds)
    {
        var snippets = new Dictionary<long, string>();
        using var select = SqliteDatabase.Command(connection, transaction, string.Empty);
        var ids = new StringBuilder();
        foreach (long rowId in rowIds)
        {
            string name = string.Create(CultureInfo.InvariantCulture, $"$r{select.Parameters.Count}");
            ids.Append(ids.Length == 0 ? string.Empty : ", ").Append(name);
            select.Parameters.AddWithValue(name, rowId);
        }

        if (ids.Length == 0)
        {
            return snippets;
        }

        select.Parameters.AddWithValue("$match", match);
        select.CommandText = $"SELECT rowid, snippet({table}, 0, '[', ']', '...', 16) FROM {table} WHERE {table} MATCH $match AND rowid IN ({ids});";
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            snippets[reader.GetInt64(0)] = reader.GetString(1);
        }

        return snippets;
    }

    /// <inheritdoc/>
    public Task<ConversationStatistics> GetStatisticsAsync(ConversationQuery? query = null, CancellationToken cancellationToken = default)
    {
        if (query is not null)
        {
            StoreRules.CheckQuery(query with { PageSize = 1 }, nameof(query));
        }

        return _database.ReadAsync((connection, transaction) =>
        {
            ConversationStatistics statistics;
            using (var totals = SqliteDatabase.Command(connection, transaction, string.Empty))
            {
                var sql = new StringBuilder("SELECT count(*), coalesce(sum(c.message_count), 0), coalesce(sum(c.input_tokens), 0), coalesce(sum(c.output_tokens), 0), coalesce(sum(c.cost_units), 0), "
                    + "coalesce(sum(c.aux_input_tokens), 0), coalesce(sum(c.aux_output_tokens), 0), coalesce(sum(c.aux_cost_units), 0), coalesce(sum(c.aux_unknown_cost_calls), 0) FROM llmkit_conversations c WHERE 1 = 1");
                SqliteFilter.Append(sql, totals, query);
                totals.CommandText = sql.ToString();
                using var reader = totals.ExecuteReader();
                reader.Read();
                statistics = new ConversationStatistics
                {
                    Conversations = reader.GetInt64(0),
                    Messages = reader.GetInt64(1),
                    InputTokens = reader.GetInt64(2),
                    OutputTokens = reader.GetInt64(3),
                    CostUsd = reader.GetInt64(4) / CostUnitsPerUsd,
                    AuxiliaryInputTokens = reader.GetInt64(5),
                    AuxiliaryOutputTokens = reader.GetInt64(6),
                    AuxiliaryCostUsd = reader.GetInt64(7) / CostUnitsPerUsd,
                    AuxiliaryUnknownCostCalls = reader.GetInt64(8),
                };
            }

            var top = new List<KeyValuePair<string, long>>();
            using (var tags = SqliteDatabase.Command(connection, transaction, string.Empty))
            {
                var sql = new StringBuilder("SELECT tg.tag, count(*) AS n FROM llmkit_conversation_tags tg JOIN llmkit_conversations c ON c.pk = tg.conversation_pk WHERE 1 = 1");
                SqliteFilter.Append(sql, tags, query);
                sql.Append(CultureInfo.InvariantCulture, $" GROUP BY tg.tag ORDER BY n DESC, tg.tag LIMIT {StoreRules.TopTagCount};");
                tags.CommandText = sql.ToString();
                using var reader = tags.ExecuteReader();
                while (reader.Read())
                {
                    top.Add(new KeyValuePair<string, long>(reader.GetString(0), reader.GetInt64(1)));
                }
            }

            return statistics with { TopTags = top };
        }, cancellationToken);
    }

    private static (long Pk, long Version, long Count) ReadVersion(SqliteConnection connection, SqliteTransaction transaction, string id)
    {
        using var select = SqliteDatabase.Command(connection, transaction, "SELECT pk, version, message_count FROM llmkit_conversations WHERE id = $id;");
        select.Parameters.AddWithValue("$id", id);
        using var reader = select.ExecuteReader();
        if (!reader.Read())
        {
            throw ConversationNotFoundException.ForId(id);
        }

        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private static void InsertTags(SqliteConnection connection, SqliteTransaction transaction, long pk, List<string> tags)
    {
        if (tags.Count == 0)
        {
            return;
        }

        using var insert = SqliteDatabase.Command(connection, transaction, "INSERT INTO llmkit_conversation_tags (tag, conversation_pk) VALUES ($tag, $pk);");
        var tag = insert.Parameters.Add("$tag", SqliteType.Text);
        insert.Parameters.AddWithValue("$pk", pk);
        foreach (string t in tags)
        {
            tag.Value = t;
            insert.ExecuteNonQuery();
        }
    }

    private static void InsertMessages(SqliteConnection connection, SqliteTransaction transaction, long pk, long count, List<PreparedMessage> messages)
    {
        if (messages.Count == 0)
        {
            return;
        }

        using var insert = SqliteDatabase.Command(connection, transaction, """
            INSERT INTO llmkit_messages (conversation_pk, seq, message_id, role, created_at, status, text, body)
            VALUES ($pk, $seq, $mid, $role, $created, $status, $text, $body);
            """);
        insert.Parameters.AddWithValue("$pk", pk);
        var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
        var mid = insert.Parameters.Add("$mid", SqliteType.Text);
        var role = insert.Parameters.Add("$role", SqliteType.Text);
        var created = insert.Parameters.Add("$created", SqliteType.Integer);
        var status = insert.Parameters.Add("$status", SqliteType.Integer);
        var text = insert.Parameters.Add("$text", SqliteType.Text);
        var body = insert.Parameters.Add("$body", SqliteType.Text);
        foreach (var m in messages)
        {
            seq.Value = ++count;
            mid.Value = m.MessageId;
            role.Value = m.Role;
            created.Value = m.CreatedAt.UtcTicks;
            status.Value = (int)m.Status;
            text.Value = m.Text;
            body.Value = m.Json;
            insert.ExecuteNonQuery();
        }
    }

    private static List<ConversationMessage> ToMessages(List<PreparedMessage> messages)
    {
        var result = new List<ConversationMessage>(messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            result.Add(ConversationJson.DeserializeMessage(messages[i].Json) with { Sequence = i + 1 });
        }

        return result;
    }

    private static Conversation ReadConversation(SqliteDataReader reader, int o) => new()
    {
        Id = reader.GetString(o),
        Title = reader.IsDBNull(o + 1) ? null : reader.GetString(o + 1),
        TenantId = reader.IsDBNull(o + 2) ? null : reader.GetString(o + 2),
        UserId = reader.IsDBNull(o + 3) ? null : reader.GetString(o + 3),
        Tags = JsonSerializer.Deserialize(reader.GetString(o + 4), StoreJsonContext.Default.ListString)!,
        Metadata = JsonSerializer.Deserialize(reader.GetString(o + 5), StoreJsonContext.Default.DictionaryStringString)!,
        CreatedAt = new DateTimeOffset(reader.GetInt64(o + 6), TimeSpan.Zero),
        UpdatedAt = new DateTimeOffset(reader.GetInt64(o + 7), TimeSpan.Zero),
        Model = reader.IsDBNull(o + 8) ? null : reader.GetString(o + 8),
        InputTokens = reader.GetInt64(o + 9),
        OutputTokens = reader.GetInt64(o + 10),
        CostUsd = reader.GetInt64(o + 11) / CostUnitsPerUsd,
        Version = reader.GetInt64(o + 12),
        MessageCount = reader.GetInt64(o + 13),
        AuxiliaryInputTokens = reader.GetInt64(o + 14),
        AuxiliaryOutputTokens = reader.GetInt64(o + 15),
        AuxiliaryCostUsd = reader.GetInt64(o + 16) / CostUnitsPerUsd,
        AuxiliaryUnknownCostCalls = reader.GetInt64(o + 17),
    };

    internal static long ToUnits(decimal? usd)
    {
        if (usd is not { } value)
        {
            return 0;
        }

        StoreRules.CheckCost(value, "the record", null, nameof(usd));
        return decimal.ToInt64(decimal.Round(value * CostUnitsPerUsd, MidpointRounding.AwayFromZero));
    }

    /// <summary>A conversation checked for creation, with its auxiliary and total cost in integer units (rounded per message, as stored).</summary>
    private sealed record NewConversation(ConversationDraft Draft, long AuxiliaryCostUnits, long CostUnits);
}
