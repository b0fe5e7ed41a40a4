namespace LlmKit;

/// <summary>The schema of the PostgreSQL stores as an ordered list of migrations; each runs once, recorded in <c>llmkit_schema_migrations</c>.</summary>
internal static class PostgreSqlMigrations
{
    public static IReadOnlyList<(int Version, string Name, string Sql)> All { get; } =
    [
        (1, "conversations", """
            CREATE TABLE llmkit_conversations (
                id text COLLATE "C" PRIMARY KEY,
                title text,
                tenant_id text COLLATE "C",
                user_id text COLLATE "C",
                tags text NOT NULL,
                metadata text NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                model text,
                input_tokens bigint NOT NULL,
                output_tokens bigint NOT NULL,
                cost_usd numeric NOT NULL,
                message_count bigint NOT NULL,
                version bigint NOT NULL,
                title_search tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(title, ''))) STORED
            );
            CREATE INDEX ix_llmkit_conversations_updated ON llmkit_conversations (updated_at DESC, id DESC);
            CREATE INDEX ix_llmkit_conversations_tenant ON llmkit_conversations (tenant_id, updated_at DESC, id DESC);
            CREATE INDEX ix_llmkit_conversations_user ON llmkit_conversations (user_id, updated_at DESC, id DESC);
            CREATE INDEX ix_llmkit_conversations_title_search ON llmkit_conversations USING gin (title_search);
            CREATE TABLE llmkit_conversation_tags (
                tag text COLLATE "C" NOT NULL,
                conversation_id text COLLATE "C" NOT NULL REFERENCES llmkit_conversations (id) ON DELETE CASCADE,
                PRIMARY KEY (tag, conversation_id)
            );
            CREATE INDEX ix_llmkit_conversation_tags_conversation ON llmkit_conversation_tags (conversation_id);
            CREATE TABLE llmkit_messages (
                conversation_id text COLLATE "C" NOT NULL REFERENCES llmkit_conversations (id) ON DELETE CASCADE,
                seq bigint NOT NULL,
                message_id text COLLATE "C" NOT NULL,
                role text NOT NULL,
                created_at timestamptz NOT NULL,
                status smallint NOT NULL,
                text text NOT NULL,
                body text NOT NULL,
                search tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED,
                PRIMARY KEY (conversation_id, seq),
                UNIQUE (conversation_id, message_id)
            );
            CREATE INDEX ix_llmkit_messages_search ON llmkit_messages USING gin (search);
            """),
        (2, "usage ledger", """
            CREATE TABLE llmkit_usage (
                request_id text COLLATE "C" PRIMARY KEY,
                ts timestamptz NOT NULL,
                tenant_id text COLLATE "C",
                user_id text COLLATE "C",
                api_key_id text COLLATE "C",
                conversation_id text COLLATE "C",
                logical_model text COLLATE "C",
                deployment text COLLATE "C",
                provider text,
                response_model text,
                template_id text COLLATE "C",
                template_version integer,
                input_tokens bigint NOT NULL,
                cached_input_tokens bigint NOT NULL,
                cache_write_tokens bigint NOT NULL,
                output_tokens bigint NOT NULL,
                reasoning_tokens bigint NOT NULL,
                cost_usd numeric,
                cost text NOT NULL,
                latency_us bigint NOT NULL,
                outcome smallint NOT NULL,
                failure_kind smallint,
                tags jsonb NOT NULL
            );
            CREATE INDEX ix_llmkit_usage_ts ON llmkit_usage (ts);
            CREATE INDEX ix_llmkit_usage_tenant ON llmkit_usage (tenant_id, ts);
            CREATE INDEX ix_llmkit_usage_user ON llmkit_usage (user_id, ts);
            CREATE INDEX ix_llmkit_usage_api_key ON llmkit_usage (api_key_id, ts);
            CREATE INDEX ix_llmkit_usage_conversation ON llmkit_usage (conversation_id, ts);
            CREATE INDEX ix_llmkit_usage_model ON llmkit_usage (lower(logical_model), ts);
            """),
        (3, "prompt templates", """
            CREATE TABLE llmkit_template_heads (
                id text COLLATE "C" PRIMARY KEY,
                latest_version integer NOT NULL
            );
            CREATE TABLE llmkit_templates (
                id text COLLATE "C" NOT NULL REFERENCES llmkit_template_heads (id),
                version integer NOT NULL,
                created_at bigint NOT NULL,
                body text NOT NULL,
                PRIMARY KEY (id, version)
            );
            CREATE TABLE llmkit_template_labels (
                id text COLLATE "C" NOT NULL REFERENCES llmkit_template_heads (id),
                label text COLLATE "C" NOT NULL,
                version integer NOT NULL,
                PRIMARY KEY (id, label)
            );
            """),
        (4, "budgets", """
            CREATE TABLE llmkit_budget_slots (
                budget_id text COLLATE "C" NOT NULL,
                scope_kind integer NOT NULL,
                scope_value text COLLATE "C" NOT NULL,
                window_start bigint NOT NULL,
                spent numeric NOT NULL,
                reserved numeric NOT NULL,
                bucket_ticks bigint NOT NULL,
                head bigint NOT NULL,
                buckets text NOT NULL,
                alert_window bigint NOT NULL,
                alerts text NOT NULL,
                PRIMARY KEY (budget_id, scope_kind, scope_value)
            );
            CREATE TABLE llmkit_budget_reservations (
                budget_id text COLLATE "C" NOT NULL,
                scope_kind integer NOT NULL,
                scope_value text COLLATE "C" NOT NULL,
                reservation_id text COLLATE "C" NOT NULL,
                amount numeric NOT NULL,
                PRIMARY KEY (budget_id, scope_kind, scope_value, reservation_id)
            );
            """),
        // Template experiments and score totals (durable A/B experiments).
        (5, "template experiments and scores", """
            CREATE TABLE llmkit_template_experiments (
                id text COLLATE "C" PRIMARY KEY,
                template_id text COLLATE "C" NOT NULL REFERENCES llmkit_template_heads (id),
                created_at bigint NOT NULL,
                ended_at bigint
            );
            CREATE INDEX ix_llmkit_template_experiments_template ON llmkit_template_experiments (template_id, id);
            CREATE TABLE llmkit_template_experiment_variants (
                experiment_id text COLLATE "C" NOT NULL REFERENCES llmkit_template_experiments (id),
                position integer NOT NULL,
                name text COLLATE "C" NOT NULL,
                version integer NOT NULL,
                weight double precision NOT NULL,
                PRIMARY KEY (experiment_id, position),
                UNIQUE (experiment_id, name)
            );
            CREATE TABLE llmkit_template_scores (
                template_id text COLLATE "C" NOT NULL,
                version integer NOT NULL,
                score_count bigint NOT NULL,
                shift double precision NOT NULL,
                shifted_sum double precision NOT NULL,
                shifted_squares double precision NOT NULL,
                PRIMARY KEY (template_id, version)
            );
            CREATE TABLE llmkit_template_variant_scores (
                experiment_id text COLLATE "C" NOT NULL,
                variant text COLLATE "C" NOT NULL,
                score_count bigint NOT NULL,
                shift double precision NOT NULL,
                shifted_sum double precision NOT NULL,
                shifted_squares double precision NOT NULL,
                PRIMARY KEY (experiment_id, variant)
            );
            """),
        (6, "append in one round trip", AppendFunction),
        // The totals of auxiliary calls (summaries, fact extraction), kept apart as well as in the conversation's totals.
        (7, "auxiliary usage totals", """
            ALTER TABLE llmkit_conversations
                ADD COLUMN aux_input_tokens bigint NOT NULL DEFAULT 0,
                ADD COLUMN aux_output_tokens bigint NOT NULL DEFAULT 0,
                ADD COLUMN aux_cost_usd numeric NOT NULL DEFAULT 0,
                ADD COLUMN aux_unknown_cost_calls bigint NOT NULL DEFAULT 0;
            """),
        // A title holding a NUL character (U+0000), which text cannot hold, kept exactly as a JSON string; NULL otherwise
        // (title then holds it with the NUL as a space, for search).
        (8, "titles with NUL characters", """
            ALTER TABLE llmkit_conversations ADD COLUMN title_json text;
            """),
        // GIN's fast update keeps each append's search entries in a pending list that every search scans in full, until
        // the list passes gin_pending_list_limit (4 MB by default, about 40,000 messages) and the append that passes it
        // merges it into the index. Measured on 1,000,000 messages: a search took 19 to 20 ms with 41,000 pending entries
        // and 12.9 ms right after a clean-up; merging the full 4 MB list took 0.12 s inside one append. Capped lists keep
        // searches near the clean figure and each merge short.
        (9, "search index pending lists capped", """
            ALTER INDEX ix_llmkit_messages_search SET (gin_pending_list_limit = 512);
            ALTER INDEX ix_llmkit_conversations_title_search SET (gin_pending_list_limit = 256);
            """),
        // The function's stored-id check looked the ids up as an anti-join, which the plan cache's generic plan ran as a
        // hash of every message id of the conversation (27 ms for a retried append to a 12,000-message conversation);
        // it now looks each id up in the (conversation, message id) index. Migration 6 runs the same text, so a new
        // database and an upgraded one end with the same function.
        (10, "append lookup per message id", AppendFunction),
        // What a response-cache hit saved (priced as the original call); null for other calls.
        (11, "cache hit savings", """
            ALTER TABLE llmkit_usage ADD COLUMN saved_cost_usd numeric;
            """),
        (12, "vector store collections", """
            CREATE TABLE llmkit_vector_collections (
                name text PRIMARY KEY,
                dimensions text NOT NULL,
                version bigint NOT NULL
            );
            CREATE TABLE llmkit_vector_records (
                collection text NOT NULL REFERENCES llmkit_vector_collections (name) ON DELETE CASCADE,
                key text NOT NULL,
                data jsonb NOT NULL,
                vectors bytea NOT NULL,
                search tsvector NOT NULL,
                PRIMARY KEY (collection, key)
            );
            CREATE INDEX ix_llmkit_vector_records_search ON llmkit_vector_records USING GIN (search);
            """),
        // API keys for the REST endpoints: salted hashes, never the keys.
        (13, "api keys", """
            CREATE TABLE llmkit_api_keys (
                id text PRIMARY KEY,
                tenant_id text NOT NULL,
                user_id text,
                name text,
                scopes text[] NOT NULL,
                allowed_models text[] NOT NULL,
                created_at timestamptz NOT NULL,
                expires_at timestamptz,
                revoked_at timestamptz,
                salt bytea NOT NULL,
                secret_hash bytea NOT NULL,
                requests_per_minute integer,
                tokens_per_minute integer,
                max_request_body_bytes bigint,
                max_messages integer,
                max_output_tokens integer
            );
            CREATE INDEX ix_llmkit_api_keys_tenant ON llmkit_api_keys (tenant_id, created_at, id);
            """),
    ];

    /// <summary>
    /// <c>llmkit_append_messages</c>: an append in one statement (so in one round trip and, outside an explicit
    /// transaction, one commit). It locks the conversation's row, then reads which message ids are stored already; as a
    /// PL/pgSQL function in READ COMMITTED each statement takes a new snapshot, so that read sees every append committed
    /// before the lock was granted (one statement with CTEs would read with the snapshot taken before it waited for the
    /// lock). Then the version check, the new messages numbered after the last, and the conversation's totals and version.
    /// Returns outcome 0 (done, or nothing new) with the version after the call, 1 (no such conversation) or 2 (the
    /// expected version is stale) with the current version. The per-message arrays run in parallel; a null model is no model.
    /// The stored-id check is a lateral lookup with <c>LIMIT 1</c> per id, so it stays an index probe per id in the
    /// cached generic plan (as an anti-join the planner hashed all of the conversation's ids). Run by migrations 6 and 10.
    /// </summary>
    private const string AppendFunction = """
        CREATE OR REPLACE FUNCTION llmkit_append_messages(
            p_conversation text, p_expected_version bigint, p_now timestamptz,
            p_ids text[], p_roles text[], p_times timestamptz[], p_statuses smallint[], p_texts text[], p_bodies text[],
            p_input_tokens bigint[], p_output_tokens bigint[], p_costs numeric[], p_models text[],
            OUT outcome integer, OUT current_version bigint)
        LANGUAGE plpgsql VOLATILE AS $fn$
        DECLARE
            v_count bigint;
            v_fresh integer[];
        BEGIN
            SELECT c.version, c.message_count INTO current_version, v_count
            FROM llmkit_conversations c WHERE c.id = p_conversation FOR UPDATE;
            IF NOT FOUND THEN
                outcome := 1;
                RETURN;
            END IF;

            SELECT array_agg(u.o ORDER BY u.o) INTO v_fresh
            FROM unnest(p_ids) WITH ORDINALITY AS u(mid, o)
            LEFT JOIN LATERAL (SELECT 1 AS stored FROM llmkit_messages m WHERE m.conversation_id = p_conversation AND m.message_id = u.mid LIMIT 1) AS hit ON true
            WHERE hit.stored IS NULL;
            IF v_fresh IS NULL THEN
                outcome := 0;
                RETURN;
            END IF;

            IF p_expected_version IS NOT NULL AND p_expected_version <> current_version THEN
                outcome := 2;
                RETURN;
            END IF;

            INSERT INTO llmkit_messages (conversation_id, seq, message_id, role, created_at, status, text, body)
            SELECT p_conversation, v_count + f.n, p_ids[f.o], p_roles[f.o], p_times[f.o], p_statuses[f.o], p_texts[f.o], p_bodies[f.o]
            FROM unnest(v_fresh) WITH ORDINALITY AS f(o, n);

            UPDATE llmkit_conversations c SET version = c.version + 1, updated_at = p_now, message_count = c.message_count + t.n,
                input_tokens = c.input_tokens + t.input_tokens, output_tokens = c.output_tokens + t.output_tokens,
                cost_usd = c.cost_usd + t.cost, model = coalesce(t.model, c.model)
            FROM (
                SELECT count(*) AS n, sum(p_input_tokens[f.o]) AS input_tokens, sum(p_output_tokens[f.o]) AS output_tokens,
                    coalesce(sum(p_costs[f.o]), 0) AS cost,
                    (array_agg(p_models[f.o] ORDER BY f.o DESC) FILTER (WHERE p_models[f.o] IS NOT NULL))[1] AS model
                FROM unnest(v_fresh) AS f(o)
            ) t
            WHERE c.id = p_conversation;

            outcome := 0;
            current_version := current_version + 1;
        END
        $fn$;
        """;
}
