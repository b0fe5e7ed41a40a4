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
        // Template experiments and score totals (issue 7, durable A/B experiments); appended on its own, renumber freely at merge.
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
    ];
}
