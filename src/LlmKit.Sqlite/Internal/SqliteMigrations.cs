namespace LlmKit;

/// <summary>The schema of the SQLite stores as an ordered list of migrations; each runs once, recorded in <c>llmkit_schema_migrations</c>.</summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<(int Version, string Name, string Sql)> All { get; } =
    [
        (1, "conversations", """
            CREATE TABLE llmkit_conversations (
                pk INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                title TEXT,
                tenant_id TEXT,
                user_id TEXT,
                tags TEXT NOT NULL,
                metadata TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                model TEXT,
                input_tokens INTEGER NOT NULL,
                output_tokens INTEGER NOT NULL,
                cost_units INTEGER NOT NULL,
                message_count INTEGER NOT NULL,
                version INTEGER NOT NULL
            );
            CREATE INDEX ix_llmkit_conversations_updated ON llmkit_conversations (updated_at DESC, id DESC);
            CREATE INDEX ix_llmkit_conversations_tenant ON llmkit_conversations (tenant_id, updated_at DESC, id DESC);
            CREATE INDEX ix_llmkit_conversations_user ON llmkit_conversations (user_id, updated_at DESC, id DESC);
            CREATE TABLE llmkit_conversation_tags (
                tag TEXT NOT NULL,
                conversation_pk INTEGER NOT NULL REFERENCES llmkit_conversations (pk) ON DELETE CASCADE,
                PRIMARY KEY (tag, conversation_pk)
            ) WITHOUT ROWID;
            CREATE INDEX ix_llmkit_conversation_tags_conversation ON llmkit_conversation_tags (conversation_pk);
            CREATE TABLE llmkit_messages (
                id INTEGER PRIMARY KEY,
                conversation_pk INTEGER NOT NULL REFERENCES llmkit_conversations (pk) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                message_id TEXT NOT NULL,
                role TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                status INTEGER NOT NULL,
                text TEXT NOT NULL,
                body TEXT NOT NULL,
                UNIQUE (conversation_pk, seq),
                UNIQUE (conversation_pk, message_id)
            );
            CREATE VIRTUAL TABLE llmkit_messages_fts USING fts5 (text, content = 'llmkit_messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
            CREATE TRIGGER llmkit_messages_fts_insert AFTER INSERT ON llmkit_messages BEGIN
                INSERT INTO llmkit_messages_fts (rowid, text) VALUES (new.id, new.text);
            END;
            CREATE TRIGGER llmkit_messages_fts_delete AFTER DELETE ON llmkit_messages BEGIN
                INSERT INTO llmkit_messages_fts (llmkit_messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
            END;
            CREATE VIRTUAL TABLE llmkit_titles_fts USING fts5 (title, content = 'llmkit_conversations', content_rowid = 'pk', tokenize = 'unicode61 remove_diacritics 2');
            CREATE TRIGGER llmkit_titles_fts_insert AFTER INSERT ON llmkit_conversations BEGIN
                INSERT INTO llmkit_titles_fts (rowid, title) VALUES (new.pk, coalesce(new.title, ''));
            END;
            CREATE TRIGGER llmkit_titles_fts_delete AFTER DELETE ON llmkit_conversations BEGIN
                INSERT INTO llmkit_titles_fts (llmkit_titles_fts, rowid, title) VALUES ('delete', old.pk, coalesce(old.title, ''));
            END;
            CREATE TRIGGER llmkit_titles_fts_update AFTER UPDATE OF title ON llmkit_conversations BEGIN
                INSERT INTO llmkit_titles_fts (llmkit_titles_fts, rowid, title) VALUES ('delete', old.pk, coalesce(old.title, ''));
                INSERT INTO llmkit_titles_fts (rowid, title) VALUES (new.pk, coalesce(new.title, ''));
            END;
            """),
        (2, "usage ledger", """
            CREATE TABLE llmkit_usage (
                request_id TEXT PRIMARY KEY,
                ts INTEGER NOT NULL,
                tenant_id TEXT,
                user_id TEXT,
                api_key_id TEXT,
                conversation_id TEXT,
                logical_model TEXT,
                deployment TEXT,
                provider TEXT,
                response_model TEXT,
                template_id TEXT,
                template_version INTEGER,
                input_tokens INTEGER NOT NULL,
                cached_input_tokens INTEGER NOT NULL,
                cache_write_tokens INTEGER NOT NULL,
                output_tokens INTEGER NOT NULL,
                reasoning_tokens INTEGER NOT NULL,
                cost_units INTEGER,
                cost TEXT NOT NULL,
                latency_us INTEGER NOT NULL,
                outcome INTEGER NOT NULL,
                failure_kind INTEGER,
                tags TEXT NOT NULL
            );
            CREATE INDEX ix_llmkit_usage_ts ON llmkit_usage (ts);
            CREATE INDEX ix_llmkit_usage_tenant ON llmkit_usage (tenant_id, ts);
            CREATE INDEX ix_llmkit_usage_user ON llmkit_usage (user_id, ts);
            CREATE INDEX ix_llmkit_usage_api_key ON llmkit_usage (api_key_id, ts);
            CREATE INDEX ix_llmkit_usage_conversation ON llmkit_usage (conversation_id, ts);
            CREATE INDEX ix_llmkit_usage_model ON llmkit_usage (logical_model COLLATE NOCASE, ts);
            """),
        (3, "search lookup index", """
            CREATE INDEX ix_llmkit_messages_search_lookup ON llmkit_messages (id, conversation_pk, message_id);
            """),
        (4, "prompt templates", """
            CREATE TABLE llmkit_template_heads (
                id TEXT PRIMARY KEY,
                latest_version INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE llmkit_templates (
                id TEXT NOT NULL,
                version INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                body TEXT NOT NULL,
                PRIMARY KEY (id, version)
            ) WITHOUT ROWID;
            CREATE TABLE llmkit_template_labels (
                id TEXT NOT NULL,
                label TEXT NOT NULL,
                version INTEGER NOT NULL,
                PRIMARY KEY (id, label)
            ) WITHOUT ROWID;
            """),
        (5, "budgets", """
            CREATE TABLE llmkit_budget_slots (
                budget_id TEXT NOT NULL,
                scope_kind INTEGER NOT NULL,
                scope_value TEXT NOT NULL,
                window_start INTEGER NOT NULL,
                spent TEXT NOT NULL,
                reserved TEXT NOT NULL,
                bucket_ticks INTEGER NOT NULL,
                head INTEGER NOT NULL,
                buckets TEXT NOT NULL,
                alert_window INTEGER NOT NULL,
                alerts TEXT NOT NULL,
                PRIMARY KEY (budget_id, scope_kind, scope_value)
            ) WITHOUT ROWID;
            CREATE TABLE llmkit_budget_reservations (
                budget_id TEXT NOT NULL,
                scope_kind INTEGER NOT NULL,
                scope_value TEXT NOT NULL,
                reservation_id TEXT NOT NULL,
                amount TEXT NOT NULL,
                PRIMARY KEY (budget_id, scope_kind, scope_value, reservation_id)
            ) WITHOUT ROWID;
            """),
        // Template experiments and score totals (durable A/B experiments).
        (6, "template experiments and scores", """
            CREATE TABLE llmkit_template_experiments (
                id TEXT PRIMARY KEY,
                template_id TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                ended_at INTEGER
            ) WITHOUT ROWID;
            CREATE INDEX ix_llmkit_template_experiments_template ON llmkit_template_experiments (template_id, id);
            CREATE TABLE llmkit_template_experiment_variants (
                experiment_id TEXT NOT NULL,
                position INTEGER NOT NULL,
                name TEXT NOT NULL,
                version INTEGER NOT NULL,
                weight REAL NOT NULL,
                PRIMARY KEY (experiment_id, position),
                UNIQUE (experiment_id, name)
            ) WITHOUT ROWID;
            CREATE TABLE llmkit_template_scores (
                template_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                score_count INTEGER NOT NULL,
                shift REAL NOT NULL,
                shifted_sum REAL NOT NULL,
                shifted_squares REAL NOT NULL,
                PRIMARY KEY (template_id, version)
            ) WITHOUT ROWID;
            CREATE TABLE llmkit_template_variant_scores (
                experiment_id TEXT NOT NULL,
                variant TEXT NOT NULL,
                score_count INTEGER NOT NULL,
                shift REAL NOT NULL,
                shifted_sum REAL NOT NULL,
                shifted_squares REAL NOT NULL,
                PRIMARY KEY (experiment_id, variant)
            ) WITHOUT ROWID;
            """),
        // The totals of auxiliary calls (summaries, fact extraction), kept apart as well as in the conversation's totals.
        (7, "auxiliary usage totals", """
            ALTER TABLE llmkit_conversations ADD COLUMN aux_input_tokens INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE llmkit_conversations ADD COLUMN aux_output_tokens INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE llmkit_conversations ADD COLUMN aux_cost_units INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE llmkit_conversations ADD COLUMN aux_unknown_cost_calls INTEGER NOT NULL DEFAULT 0;
            """),
        // What a response-cache hit saved (priced as the original call); null for other calls.
        (8, "cache hit savings", """
            ALTER TABLE llmkit_usage ADD COLUMN saved_cost_units INTEGER;
            """),
        // The IDistributedCache (HybridCache's second level) on the same file as the other stores.
        (9, "distributed cache", """
            CREATE TABLE llmkit_cache (
                key TEXT PRIMARY KEY,
                value BLOB NOT NULL,
                expires_at INTEGER,
                sliding_ticks INTEGER,
                absolute_expires_at INTEGER
            ) WITHOUT ROWID;
            CREATE INDEX ix_llmkit_cache_expires ON llmkit_cache (expires_at) WHERE expires_at IS NOT NULL;
            """),
        (10, "vector store collections", """
            CREATE TABLE llmkit_vector_collections (
                name TEXT PRIMARY KEY,
                dimensions TEXT NOT NULL,
                version INTEGER NOT NULL
            );
            CREATE TABLE llmkit_vector_records (
                id INTEGER PRIMARY KEY,
                collection TEXT NOT NULL REFERENCES llmkit_vector_collections (name) ON DELETE CASCADE,
                key TEXT NOT NULL,
                data TEXT NOT NULL,
                vectors BLOB NOT NULL,
                UNIQUE (collection, key)
            );
            CREATE VIRTUAL TABLE llmkit_vector_fts USING fts5(collection UNINDEXED, text);
            """),
        // API keys for the REST endpoints: salted hashes, never the keys.
        (11, "api keys", """
            CREATE TABLE llmkit_api_keys (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                user_id TEXT,
                name TEXT,
                scopes TEXT NOT NULL,
                allowed_models TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER,
                revoked_at INTEGER,
                salt BLOB NOT NULL,
                secret_hash BLOB NOT NULL,
                requests_per_minute INTEGER,
                tokens_per_minute INTEGER,
                max_request_body_bytes INTEGER,
                max_messages INTEGER,
                max_output_tokens INTEGER
            ) WITHOUT ROWID;
            CREATE INDEX ix_llmkit_api_keys_tenant ON llmkit_api_keys (tenant_id, created_at, id);
            """),
    ];
}
