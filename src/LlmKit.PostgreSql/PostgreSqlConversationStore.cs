using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace LlmKit;

/// <summary>
/// An <see cref="IConversationStore"/> on PostgreSQL, for apps running on many machines: an <see cref="NpgsqlDataSource"/>
/// (pooled connections), versioned schema migrations applied on first use under an advisory lock, full-text search
/// over titles and message text (<c>tsvector</c> with GIN indexes, the <c>simple</c> configuration), keyset paging,
/// optimistic concurrency on a row version, and appends idempotent by message id. The usual append is one statement (one
/// round trip, committed on its own) that updates the conversation's row, which locks it, and inserts the messages
/// numbered after the count that update returns; when it writes nothing (a retried or concurrent append of the same ids,
/// a stale version, no such conversation), the <c>llmkit_append_messages</c> function the migrations create decides
/// after locking the row. Concurrent writers on any number of machines never lose or duplicate a message, and the
/// messages and the conversation's totals change in one transaction.
/// </summary>
public sealed class PostgreSqlConversationStore : IConversationStore
{
    private const string ConversationColumns = "c.id, c.title, c.tenant_id, c.user_id, c.tags, c.metadata, c.created_at, c.updated_at, c.model, c.input_tokens, c.output_tokens, c.cost_usd, c.version, c.message_count, c.aux_input_tokens, c.aux_output_tokens, c.aux_cost_usd, c.aux_unknown_cost_calls, c.title_json";

    /// <summary>
    /// The usual append of several messages as one statement: the conversation's row is updated (which locks it) only when
    /// it exists, the expected version (if any) matches and none of the ids is stored; the messages are numbered after the
    /// count that update returns. In READ COMMITTED an update that waited for a concurrent append re-reads the row, so the
    /// count and version are the committed ones; an id that append stored is not in this statement's snapshot, and the
    /// unique index then rejects the whole statement. No row returned, or that rejection, means nothing was written. The
    /// stored-id check looks each id up in the (conversation, message id) index (the <c>LIMIT 1</c> keeps it a lookup per
    /// id): written as <c>message_id = ANY (...)</c> the planner's generic plan read every message of the conversation, so
    /// an append cost grew with the conversation's length. The totals ($10 to $12) and the model ($13, the last message's
    /// that has one) come computed: summing the per-message arrays in SQL cost four more subplans per call.
    /// </summary>
    internal const string FastAppendSql = """
        WITH appended AS (
            UPDATE llmkit_conversations c SET version = c.version + 1, updated_at = $3, message_count = c.message_count + cardinality($4),
                input_tokens = c.input_tokens + $10, output_tokens = c.output_tokens + $11, cost_usd = c.cost_usd + $12, model = coalesce($13, c.model)
            WHERE c.id = $1 AND ($2 IS NULL OR c.version = $2)
                AND NOT EXISTS (SELECT 1 FROM unnest($4) AS n(mid) CROSS JOIN LATERAL (SELECT 1 FROM llmkit_messages m WHERE m.conversation_id = $1 AND m.message_id = n.mid LIMIT 1) AS hit)
            RETURNING c.message_count - cardinality($4) AS base, c.version
        ), inserted AS (
            INSERT INTO llmkit_messages (conversation_id, seq, message_id, role, created_at, status, text, body)
            SELECT $1, a.base + u.o, u.mid, u.role, u.at, u.st, u.txt, u.body
            FROM appended a, unnest($4, $5, $6, $7, $8, $9) WITH ORDINALITY AS u(mid, role, at, st, txt, body, o)
        )
        SELECT version FROM appended;
        """;

    /// <summary>
    /// <see cref="FastAppendSql"/> for one message, every parameter a scalar ($4 to $9 the message's id, role, time,
    /// status, search text and JSON): no array to unnest, so a shorter plan to start on each call (the common append,
    /// measured about 0.03 ms less PostgreSQL time per call than the array form).
    /// </summary>
    internal const string FastAppendOneSql = """
        WITH appended AS (
            UPDATE llmkit_conversations c SET version = c.version + 1, updated_at = $3, message_count = c.message_count + 1,
                input_tokens = c.input_tokens + $10, output_tokens = c.output_tokens + $11, cost_usd = c.cost_usd + $12, model = coalesce($13, c.model)
            WHERE c.id = $1 AND ($2 IS NULL OR c.version = $2)
                AND NOT EXISTS (SELECT 1 FROM llmkit_messages m WHERE m.conversation_id = $1 AND m.message_id = $4)
            RETURNING c.message_count AS seq, c.version
        ), inserted AS (
            INSERT INTO llmkit_messages (conversation_id, seq, message_id, role, created_at, status, text, body)
            SELECT $1, a.seq, $4, $5, $6, $7, $8, $9 FROM appended a
        )
        SELECT version FROM appended;
        """;

    private readonly PostgreSqlDatabase _database;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="dataSource">The data source; the caller owns and disposes it.</param>
    /// <param name="timeProvider">The clock for creation and update times. Defaults to <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    public PostgreSqlConversationStore(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null)
    {
        _database = new PostgreSqlDatabase(dataSource);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates or upgrades the schema now instead of on first use.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    /// <exception cref="StoreUnavailableException">The server cannot be reached or the schema is newer than this LlmKit.</exception>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => _database.MigrateAsync(cancellationToken);

    /// <inheritdoc/>
    public Task<Conversation> CreateAsync(Conversation conversation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        var create = PrepareCreate(conversation, StoreRules.Normalize(_timeProvider.GetUtcNow()), nameof(conversation));
        return _database.RunAsync((connection, transaction) => InsertAsync(connection, transaction, create, cancellationToken), cancellationToken);
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

        return _database.RunAsync<IReadOnlyList<Conversation>>(async (connection, transaction) =>
        {
            var created = new Conversation[creates.Length];
            for (int i = 0; i < creates.Length; i++)
            {
                created[i] = await InsertAsync(connection, transaction, creates[i], cancellationToken).ConfigureAwait(false);
            }

            return created;
        }, cancellationToken);
    }

    /// <summary>Checks a conversation to create and computes what its rows hold.</summary>
    private static NewConversation PrepareCreate(Conversation conversation, DateTimeOffset now, string paramName)
    {
        var draft = StoreRules.Draft(conversation, now, paramName);
        decimal cost = draft.Auxiliary.CostUsd;
        foreach (var m in draft.Messages)
        {
            cost += m.Cost ?? 0m;
        }

        return new NewConversation(draft, cost);
    }

    /// <summary>Writes a checked conversation in the caller's transaction.</summary>
    private static async Task<Conversation> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, NewConversation create, CancellationToken cancellationToken)
    {
        var ((conversation, tags, messages, createdAt, updatedAt, metadata, auxiliary, inputTokens, outputTokens, model), cost) = create;
        await using (var insert = PostgreSqlDatabase.Command(connection, transaction, """
            INSERT INTO llmkit_conversations (id, title, title_json, tenant_id, user_id, tags, metadata, created_at, updated_at, model, input_tokens, output_tokens, cost_usd, message_count, version,
                aux_input_tokens, aux_output_tokens, aux_cost_usd, aux_unknown_cost_calls)
            VALUES (@id, @title, @titleJson, @tenant, @user, @tags, @metadata, @created, @updated, @model, @input, @output, @cost, @count, 1, @auxInput, @auxOutput, @auxCost, @auxUnknown)
            ON CONFLICT (id) DO NOTHING;
            """))
        {
            var p = insert.Parameters;
            p.AddWithValue("id", conversation.Id);
            AddTitleParameters(p, conversation.Title);
            p.AddWithValue("tenant", NpgsqlDbType.Text, (object?)conversation.TenantId ?? DBNull.Value);
            p.AddWithValue("user", NpgsqlDbType.Text, (object?)conversation.UserId ?? DBNull.Value);
            p.AddWithValue("tags", JsonSerializer.Serialize(tags, StoreJsonContext.Default.ListString));
            p.AddWithValue("metadata", JsonSerializer.Serialize(metadata, StoreJsonContext.Default.DictionaryStringString));
            p.AddWithValue("created", createdAt);
            p.AddWithValue("updated", updatedAt);
            p.AddWithValue("model", NpgsqlDbType.Text, (object?)model ?? DBNull.Value);
            p.AddWithValue("input", inputTokens);
            p.AddWithValue("output", outputTokens);
            p.AddWithValue("cost", cost);
            p.AddWithValue("count", (long)messages.Count);
            p.AddWithValue("auxInput", auxiliary.InputTokens);
            p.AddWithValue("auxOutput", auxiliary.OutputTokens);
            p.AddWithValue("auxCost", auxiliary.CostUsd);
            p.AddWithValue("auxUnknown", auxiliary.UnknownCostCalls);
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw StoreRules.AlreadyExists(conversation.Id);
            }
        }

        await InsertTagsAsync(connection, transaction, conversation.Id, tags, cancellationToken).ConfigureAwait(false);
        await InsertMessagesAsync(connection, transaction, conversation.Id, 0, messages, cancellationToken).ConfigureAwait(false);
        var stored = new List<ConversationMessage>(messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            stored.Add(ConversationJson.DeserializeMessage(messages[i].Json) with { Sequence = i + 1 });
        }

        return StoreRules.Created(conversation, tags, metadata, createdAt, updatedAt, model, inputTokens, outputTokens, cost, auxiliary, auxiliary.CostUsd, stored);
    }

    /// <inheritdoc/>
    public Task<Conversation?> GetAsync(string id, bool includeMessages = true, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckId(id, nameof(id));
        return _database.RunAsync<Conversation?>(async (connection, transaction) =>
        {
            Conversation conversation;
            await using (var select = PostgreSqlDatabase.Command(connection, transaction, $"SELECT {ConversationColumns} FROM llmkit_conversations c WHERE c.id = @id;"))
            {
                select.Parameters.AddWithValue("id", id);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                conversation = ReadConversation(reader);
            }

            if (!includeMessages)
            {
                return conversation;
            }

            var messages = new List<ConversationMessage>();
            await using (var select = PostgreSqlDatabase.Command(connection, transaction, "SELECT seq, body FROM llmkit_messages WHERE conversation_id = @id ORDER BY seq;"))
            {
                select.Parameters.AddWithValue("id", id);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    messages.Add(ConversationJson.DeserializeMessage(reader.GetString(1)) with { Sequence = reader.GetInt64(0) });
                }
            }

            return conversation with { Messages = messages };
        }, cancellationToken, snapshot: true);
    }

    /// <inheritdoc/>
    public Task<long> AppendAsync(string id, IReadOnlyList<ConversationMessage> messages, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckId(id, nameof(id));
        var now = StoreRules.Normalize(_timeProvider.GetUtcNow());
        var prepared = StoreRules.Prepare(messages, now, nameof(messages));
        int n = prepared.Count;
        var columns = MessageColumns.From(prepared);
        long totalInput = 0, totalOutput = 0;
        decimal totalCost = 0m;
        string? lastModel = null;
        foreach (var m in prepared)
        {
            totalInput = checked(totalInput + m.InputTokens);
            totalOutput = checked(totalOutput + m.OutputTokens);
            totalCost += m.Cost ?? 0m;
            lastModel = m.Model ?? lastModel;
        }

        return _database.RunStatementAsync(async connection =>
        {
            // The usual append (new ids, the expected version or none) is one statement without PL/pgSQL, so one round
            // trip and its own commit. Anything else (a retried append, a stale version, no such conversation, a
            // concurrent append of the same id) makes it write nothing, and the locking function decides.
            if (n > 0)
            {
                await using var fast = new NpgsqlCommand(n == 1 ? FastAppendOneSql : FastAppendSql, connection);
                AddFastAppendParameters(fast.Parameters, id, expectedVersion, now, columns, totalInput, totalOutput, totalCost, lastModel);
                // Prepared on the server once per physical connection (Npgsql keeps it across pool reuse), as the
                // function call below: the statement's result is one bigint column whatever another process alters.
                await fast.PrepareAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    object? appended = await fast.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                    if (appended is long version)
                    {
                        return version;
                    }
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.TableName == "llmkit_messages")
                {
                    // A concurrent append stored one of these ids after this statement's snapshot: nothing was written;
                    // the function below reads after taking the lock and stores only what is new.
                }
            }

            await using var append = new NpgsqlCommand("SELECT outcome, current_version FROM llmkit_append_messages($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13);", connection);
            AddKeyParameters(append.Parameters, id, expectedVersion, now);
            AddMessageArrays(append.Parameters, columns);
            // The function sums only the messages it stores, so it takes per-message arrays (built here, off the usual path).
            append.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = prepared.ConvertAll(static m => m.InputTokens).ToArray() });
            append.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = prepared.ConvertAll(static m => m.OutputTokens).ToArray() });
            append.Parameters.Add(new NpgsqlParameter<decimal[]> { TypedValue = prepared.ConvertAll(static m => m.Cost ?? 0m).ToArray() });
            append.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = prepared.ConvertAll(static m => m.Model).ToArray() });
            await append.PrepareAsync(cancellationToken).ConfigureAwait(false);
            int outcome;
            long current;
            await using (var reader = await append.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                outcome = reader.GetInt32(0);
                current = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
            }

            return outcome switch
            {
                0 => current,
                1 => throw ConversationNotFoundException.ForId(id),
                _ => throw new ConcurrencyConflictException(id, expectedVersion.GetValueOrDefault(), current),
            };
        }, cancellationToken);
    }

    /// <summary>
    /// The 13 parameters, in order, of <see cref="FastAppendOneSql"/> (one message: its columns as scalars) or
    /// <see cref="FastAppendSql"/> (several: one array per column): conversation id, expected version, time, the six
    /// message columns, total input and output tokens, total cost and the model to record (<see langword="null"/> keeps it).
    /// </summary>
    private static void AddFastAppendParameters(NpgsqlParameterCollection p, string id, long? expectedVersion, DateTimeOffset now, MessageColumns columns, long inputTokens, long outputTokens, decimal cost, string? model)
    {
        AddKeyParameters(p, id, expectedVersion, now);
        if (columns.Ids.Length == 1)
        {
            p.Add(new NpgsqlParameter<string> { TypedValue = columns.Ids[0] });
            p.Add(new NpgsqlParameter<string> { TypedValue = columns.Roles[0] });
            p.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = columns.Times[0] });
            p.Add(new NpgsqlParameter<short> { TypedValue = columns.Statuses[0] });
            p.Add(new NpgsqlParameter<string> { TypedValue = columns.Texts[0] });
            p.Add(new NpgsqlParameter<string> { TypedValue = columns.Bodies[0] });
        }
        else
        {
            AddMessageArrays(p, columns);
        }

        p.Add(new NpgsqlParameter<long> { TypedValue = inputTokens });
        p.Add(new NpgsqlParameter<long> { TypedValue = outputTokens });
        p.Add(new NpgsqlParameter<decimal> { TypedValue = cost });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = model is null ? DBNull.Value : model });
    }

    /// <summary>The first three parameters of every append statement: conversation id, expected version (or NULL) and time.</summary>
    private static void AddKeyParameters(NpgsqlParameterCollection p, string id, long? expectedVersion, DateTimeOffset now)
    {
        p.Add(new NpgsqlParameter<string> { TypedValue = id });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = expectedVersion is { } expected ? expected : DBNull.Value });
        p.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
    }

    /// <summary>Parameters 4 to 9 of the array forms: message ids, roles, times, statuses, search texts and JSON bodies.</summary>
    private static void AddMessageArrays(NpgsqlParameterCollection p, MessageColumns columns)
    {
        p.Add(new NpgsqlParameter<string[]> { TypedValue = columns.Ids });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = columns.Roles });
        p.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = columns.Times });
        p.Add(new NpgsqlParameter<short[]> { TypedValue = columns.Statuses });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = columns.Texts });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = columns.Bodies });
    }

    /// <inheritdoc/>
    public Task<long> UpdateAsync(string id, ConversationUpdate update, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckId(id, nameof(id));
        ArgumentNullException.ThrowIfNull(update);
        var tags = update.Tags is null ? null : StoreRules.CheckTags(update.Tags, nameof(update));
        StoreRules.CheckMetadataKeys(update.Metadata?.Keys, nameof(update));

        var auxiliary = StoreRules.AuxiliaryOf(update, nameof(update));
        var now = StoreRules.Normalize(_timeProvider.GetUtcNow());
        return _database.RunAsync(async (connection, transaction) =>
        {
            var (version, _) = await LockAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
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
                await using (var select = PostgreSqlDatabase.Command(connection, transaction, "SELECT metadata FROM llmkit_conversations WHERE id = @id;"))
                {
                    select.Parameters.AddWithValue("id", id);
                    metadata = JsonSerializer.Deserialize((string)(await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!, StoreJsonContext.Default.DictionaryStringString)!;
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

            await using (var command = PostgreSqlDatabase.Command(connection, transaction, """
                UPDATE llmkit_conversations SET version = version + 1, updated_at = @now,
                    title = CASE WHEN @setTitle THEN @title ELSE title END, title_json = CASE WHEN @setTitle THEN @titleJson ELSE title_json END,
                    tags = coalesce(@tags, tags),
                    metadata = coalesce(@metadata, metadata),
                    input_tokens = input_tokens + @auxInput, output_tokens = output_tokens + @auxOutput, cost_usd = cost_usd + @auxCost,
                    aux_input_tokens = aux_input_tokens + @auxInput, aux_output_tokens = aux_output_tokens + @auxOutput,
                    aux_cost_usd = aux_cost_usd + @auxCost, aux_unknown_cost_calls = aux_unknown_cost_calls + @auxUnknown
                WHERE id = @id;
                """))
            {
                command.Parameters.AddWithValue("auxInput", auxiliary.InputTokens);
                command.Parameters.AddWithValue("auxOutput", auxiliary.OutputTokens);
                command.Parameters.AddWithValue("auxCost", auxiliary.CostUsd);
                command.Parameters.AddWithValue("auxUnknown", auxiliary.UnknownCostCalls);
                command.Parameters.AddWithValue("now", now);
                command.Parameters.AddWithValue("setTitle", update.Title is not null);
                AddTitleParameters(command.Parameters, update.Title);
                command.Parameters.AddWithValue("tags", NpgsqlDbType.Text, tags is null ? DBNull.Value : JsonSerializer.Serialize(tags, StoreJsonContext.Default.ListString));
                command.Parameters.AddWithValue("metadata", NpgsqlDbType.Text, (object?)metadataJson ?? DBNull.Value);
                command.Parameters.AddWithValue("id", id);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (tags is not null)
            {
                await using (var delete = PostgreSqlDatabase.Command(connection, transaction, "DELETE FROM llmkit_conversation_tags WHERE conversation_id = @id;"))
                {
                    delete.Parameters.AddWithValue("id", id);
                    await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await InsertTagsAsync(connection, transaction, id, tags, cancellationToken).ConfigureAwait(false);
            }

            return version + 1;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckId(id, nameof(id));
        return _database.RunAsync(async (connection, transaction) =>
        {
            await using var delete = PostgreSqlDatabase.Command(connection, transaction, "DELETE FROM llmkit_conversations WHERE id = @id;");
            delete.Parameters.AddWithValue("id", id);
            return await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ConversationPage> ListAsync(ConversationQuery query, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckQuery(query, nameof(query));
        var after = query.ContinuationToken is { } token ? StoreRules.DecodeToken(token) : ((DateTimeOffset, string)?)null;
        return _database.RunAsync(async (connection, transaction) =>
        {
            await using var select = PostgreSqlDatabase.Command(connection, transaction, string.Empty);
            var sql = new StringBuilder($"SELECT {ConversationColumns} FROM llmkit_conversations c WHERE TRUE");
            PostgreSqlFilter.Append(sql, select, query);
            if (after is var (updatedAt, lastId))
            {
                sql.Append(" AND (c.updated_at, c.id) < (@afterUpdated, @afterId)");
                select.Parameters.AddWithValue("afterUpdated", updatedAt);
                select.Parameters.AddWithValue("afterId", lastId);
            }

            sql.Append(" ORDER BY c.updated_at DESC, c.id DESC LIMIT @limit;");
            select.Parameters.AddWithValue("limit", query.PageSize + 1);
            select.CommandText = sql.ToString();
            var items = new List<Conversation>(Math.Min(query.PageSize, 64));
            bool more = false;
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (items.Count == query.PageSize)
                    {
                        more = true;
                        break;
                    }

                    items.Add(ReadConversation(reader));
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
        return _database.RunAsync<IReadOnlyList<ConversationSearchHit>>(async (connection, transaction) =>
        {
            await using var select = PostgreSqlDatabase.Command(connection, transaction, string.Empty);
            // The tsquery is written out as an expression of the parameter in each place (not read from a CTE row), so the
            // planner sees a constant and can use the GIN index of the titles too.
            var sql = new StringBuilder("""
                WITH hits AS (
                    SELECT m.conversation_id AS cid, m.message_id AS mid, m.text AS body, ts_rank(m.search, plainto_tsquery('simple', @terms)) AS score
                    FROM llmkit_messages m WHERE m.search @@ plainto_tsquery('simple', @terms)
                    UNION ALL
                    SELECT c.id, NULL, c.title, ts_rank(c.title_search, plainto_tsquery('simple', @terms))
                    FROM llmkit_conversations c WHERE c.title_search @@ plainto_tsquery('simple', @terms)
                ),
                best AS (
                    SELECT DISTINCT ON (cid) cid, mid, body, score FROM hits ORDER BY cid, score DESC, mid NULLS FIRST
                ),
                top AS (
                    SELECT c.id, c.title, b.mid, b.body, b.score, c.title_json FROM best b JOIN llmkit_conversations c ON c.id = b.cid WHERE TRUE
                """);
            select.Parameters.AddWithValue("terms", string.Join(' ', terms));
            PostgreSqlFilter.Append(sql, select, query);
            sql.Append("""
                     ORDER BY b.score DESC, c.id LIMIT @limit
                )
                SELECT t.id, t.title, t.mid, ts_headline('simple', t.body, plainto_tsquery('simple', @terms), 'StartSel=[, StopSel=], MaxWords=24, MinWords=8, ShortWord=0'), t.score, t.title_json
                FROM top t ORDER BY t.score DESC, t.id;
                """);
            select.Parameters.AddWithValue("limit", query.PageSize);
            select.CommandText = sql.ToString();
            var hits = new List<ConversationSearchHit>();
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                hits.Add(new ConversationSearchHit
                {
                    ConversationId = reader.GetString(0),
                    Title = ReadTitle(reader, 1, 5),
                    MessageId = reader.IsDBNull(2) ? null : reader.GetString(2),
                    Snippet = reader.GetString(3),
                    Rank = reader.GetFloat(4),
                });
            }

            return hits;
        }, cancellationToken, snapshot: true);
    }

    /// <inheritdoc/>
    public Task<ConversationStatistics> GetStatisticsAsync(ConversationQuery? query = null, CancellationToken cancellationToken = default)
    {
        if (query is not null)
        {
            StoreRules.CheckQuery(query with { PageSize = 1 }, nameof(query));
        }

        return _database.RunAsync(async (connection, transaction) =>
        {
            ConversationStatistics statistics;
            await using (var totals = PostgreSqlDatabase.Command(connection, transaction, string.Empty))
            {
                var sql = new StringBuilder("SELECT count(*), coalesce(sum(c.message_count), 0)::bigint, coalesce(sum(c.input_tokens), 0)::bigint, coalesce(sum(c.output_tokens), 0)::bigint, coalesce(sum(c.cost_usd), 0), "
                    + "coalesce(sum(c.aux_input_tokens), 0)::bigint, coalesce(sum(c.aux_output_tokens), 0)::bigint, coalesce(sum(c.aux_cost_usd), 0), coalesce(sum(c.aux_unknown_cost_calls), 0)::bigint FROM llmkit_conversations c WHERE TRUE");
                PostgreSqlFilter.Append(sql, totals, query);
                totals.CommandText = sql.ToString();
                await using var reader = await totals.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                statistics = new ConversationStatistics
                {
                    Conversations = reader.GetInt64(0),
                    Messages = reader.GetInt64(1),
                    InputTokens = reader.GetInt64(2),
                    OutputTokens = reader.GetInt64(3),
                    CostUsd = reader.GetDecimal(4),
                    AuxiliaryInputTokens = reader.GetInt64(5),
                    AuxiliaryOutputTokens = reader.GetInt64(6),
                    AuxiliaryCostUsd = reader.GetDecimal(7),
                    AuxiliaryUnknownCostCalls = reader.GetInt64(8),
                };
            }

            var top = new List<KeyValuePair<string, long>>();
            await using (var tags = PostgreSqlDatabase.Command(connection, transaction, string.Empty))
            {
                var sql = new StringBuilder("SELECT tg.tag, count(*) AS n FROM llmkit_conversation_tags tg JOIN llmkit_conversations c ON c.id = tg.conversation_id WHERE TRUE");
                PostgreSqlFilter.Append(sql, tags, query);
                sql.Append(CultureInfo.InvariantCulture, $" GROUP BY tg.tag ORDER BY n DESC, tg.tag LIMIT {StoreRules.TopTagCount};");
                tags.CommandText = sql.ToString();
                await using var reader = await tags.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    top.Add(new KeyValuePair<string, long>(reader.GetString(0), reader.GetInt64(1)));
                }
            }

            return statistics with { TopTags = top };
        }, cancellationToken, snapshot: true);
    }

    private static async Task<(long Version, long Count)> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string id, CancellationToken cancellationToken)
    {
        await using var select = PostgreSqlDatabase.Command(connection, transaction, "SELECT version, message_count FROM llmkit_conversations WHERE id = @id FOR UPDATE;");
        select.Parameters.AddWithValue("id", id);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw ConversationNotFoundException.ForId(id);
        }

        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task InsertTagsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string id, List<string> tags, CancellationToken cancellationToken)
    {
        if (tags.Count == 0)
        {
            return;
        }

        await using var insert = PostgreSqlDatabase.Command(connection, transaction, "INSERT INTO llmkit_conversation_tags (tag, conversation_id) SELECT unnest(@tags), @id;");
        insert.Parameters.AddWithValue("tags", tags.ToArray());
        insert.Parameters.AddWithValue("id", id);
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task InsertMessagesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string id, long count, List<PreparedMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(InsertMessagesCommand(id, count, messages));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlBatchCommand InsertMessagesCommand(string id, long count, List<PreparedMessage> messages)
    {
        var columns = MessageColumns.From(messages);
        var seqs = new long[messages.Count];
        for (int i = 0; i < seqs.Length; i++)
        {
            seqs[i] = count + i + 1;
        }

        var insert = new NpgsqlBatchCommand("""
            INSERT INTO llmkit_messages (conversation_id, seq, message_id, role, created_at, status, text, body)
            SELECT @id, * FROM unnest(@seqs, @ids, @roles, @times, @statuses, @texts, @bodies);
            """);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("seqs", seqs);
        insert.Parameters.AddWithValue("ids", columns.Ids);
        insert.Parameters.AddWithValue("roles", columns.Roles);
        insert.Parameters.AddWithValue("times", columns.Times);
        insert.Parameters.AddWithValue("statuses", columns.Statuses);
        insert.Parameters.AddWithValue("texts", columns.Texts);
        insert.Parameters.AddWithValue("bodies", columns.Bodies);
        return insert;
    }

    /// <summary>The stored columns of prepared messages, one array per column, as the append function and the bulk insert take them.</summary>
    private readonly record struct MessageColumns(string[] Ids, string[] Roles, DateTimeOffset[] Times, short[] Statuses, string[] Texts, string[] Bodies)
    {
        public static MessageColumns From(List<PreparedMessage> messages)
        {
            int n = messages.Count;
            var columns = new MessageColumns(new string[n], new string[n], new DateTimeOffset[n], new short[n], new string[n], new string[n]);
            for (int i = 0; i < n; i++)
            {
                var m = messages[i];
                columns.Ids[i] = m.MessageId;
                columns.Roles[i] = m.Role;
                columns.Times[i] = m.CreatedAt;
                columns.Statuses[i] = (short)m.Status;
                columns.Texts[i] = SearchText(m.Text);
                columns.Bodies[i] = m.Json;
            }

            return columns;
        }
    }

    private static Conversation ReadConversation(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Title = ReadTitle(reader, 1, 18),
        TenantId = reader.IsDBNull(2) ? null : reader.GetString(2),
        UserId = reader.IsDBNull(3) ? null : reader.GetString(3),
        Tags = JsonSerializer.Deserialize(reader.GetString(4), StoreJsonContext.Default.ListString)!,
        Metadata = JsonSerializer.Deserialize(reader.GetString(5), StoreJsonContext.Default.DictionaryStringString)!,
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(6),
        UpdatedAt = reader.GetFieldValue<DateTimeOffset>(7),
        Model = reader.IsDBNull(8) ? null : reader.GetString(8),
        InputTokens = reader.GetInt64(9),
        OutputTokens = reader.GetInt64(10),
        CostUsd = reader.GetDecimal(11),
        Version = reader.GetInt64(12),
        MessageCount = reader.GetInt64(13),
        AuxiliaryInputTokens = reader.GetInt64(14),
        AuxiliaryOutputTokens = reader.GetInt64(15),
        AuxiliaryCostUsd = reader.GetDecimal(16),
        AuxiliaryUnknownCostCalls = reader.GetInt64(17),
    };

    /// <summary>
    /// Sets <c>@title</c> and <c>@titleJson</c>: PostgreSQL text cannot hold a NUL character (U+0000), so a title that
    /// holds one is kept exactly as a JSON string in <c>title_json</c>, and <c>title</c> (searched) has it as a space.
    /// </summary>
    private static void AddTitleParameters(NpgsqlParameterCollection p, string? title)
    {
        bool nul = title is not null && title.Contains('\0', StringComparison.Ordinal);
        p.AddWithValue("title", NpgsqlDbType.Text, title is null ? DBNull.Value : nul ? title.Replace('\0', ' ') : (object)title);
        p.AddWithValue("titleJson", NpgsqlDbType.Text, nul ? JsonSerializer.Serialize(title!, StoreJsonContext.Default.String) : (object)DBNull.Value);
    }

    /// <summary>The exact title from <c>title</c> and <c>title_json</c> (see <see cref="AddTitleParameters"/>).</summary>
    private static string? ReadTitle(NpgsqlDataReader reader, int title, int titleJson)
        => !reader.IsDBNull(titleJson) ? JsonSerializer.Deserialize(reader.GetString(titleJson), StoreJsonContext.Default.String)
            : reader.IsDBNull(title) ? null : reader.GetString(title);

    /// <summary>The searchable text of a message: PostgreSQL text cannot hold a NUL character, so it becomes a space (the message's JSON keeps it).</summary>
    private static string SearchText(string text) => text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', ' ') : text;

    /// <summary>A conversation checked for creation, with its cost in USD (exact).</summary>
    private sealed record NewConversation(ConversationDraft Draft, decimal Cost);
}
