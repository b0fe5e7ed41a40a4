using Microsoft.Data.Sqlite;

namespace LlmKit;

/// <summary>
/// An <see cref="ITemplateStore"/> on an embedded SQLite database file: every version kept as JSON and never changed,
/// labels in their own table. A save takes the next version and moves <c>latest</c> in one write transaction, and a
/// label move is one upsert, so concurrent saves get consecutive versions and a label always points at one version.
/// </summary>
public sealed class SqliteTemplateStore : ITemplateStore
{
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="connectionString">The SQLite connection string, for example <c>Data Source=llmkit.db</c>; the file is created when missing.</param>
    /// <param name="timeProvider">The clock that stamps <see cref="PromptTemplate.CreatedAt"/>; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    /// <exception cref="LlmKitConfigurationException">The connection string cannot be parsed or names an in-memory database.</exception>
    public SqliteTemplateStore(string connectionString, TimeProvider? timeProvider = null)
    {
        _database = new SqliteDatabase(connectionString);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string DataSource => _database.DataSource;

    /// <inheritdoc/>
    public async Task<PromptTemplate> SaveAsync(PromptTemplate promptTemplate, CancellationToken cancellationToken = default)
    {
        TemplateStoreRules.CheckTemplate(promptTemplate);
        string body = TemplateStoreRules.Serialize(promptTemplate);
        string id = promptTemplate.Id;
        long createdAt = StoreRules.Normalize(_timeProvider.GetUtcNow()).UtcTicks;
        int version = await _database.WriteAsync((connection, transaction) =>
        {
            int next;
            using (var head = SqliteDatabase.Command(connection, transaction, """
                INSERT INTO llmkit_template_heads (id, latest_version) VALUES ($id, 1)
                ON CONFLICT (id) DO UPDATE SET latest_version = latest_version + 1
                RETURNING latest_version;
                """))
            {
                head.Parameters.AddWithValue("$id", id);
                next = Convert.ToInt32(head.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            }

            using (var insert = SqliteDatabase.Command(connection, transaction, "INSERT INTO llmkit_templates (id, version, created_at, body) VALUES ($id, $version, $created, $body);"))
            {
                insert.Parameters.AddWithValue("$id", id);
                insert.Parameters.AddWithValue("$version", next);
                insert.Parameters.AddWithValue("$created", createdAt);
                insert.Parameters.AddWithValue("$body", body);
                insert.ExecuteNonQuery();
            }

            Upsert(connection, transaction, id, TemplateStoreRules.LatestLabel, next);
            return next;
        }, cancellationToken).ConfigureAwait(false);

        return TemplateStoreRules.Deserialize(body, version, createdAt, [TemplateStoreRules.LatestLabel]);
    }

    /// <inheritdoc/>
    public async Task<PromptTemplate?> GetAsync(string id, int? version = null, string? label = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return await _database.ReadAsync((connection, transaction) =>
        {
            int wanted;
            if (version is { } v)
            {
                wanted = v;
            }
            else
            {
                using var byLabel = SqliteDatabase.Command(connection, transaction, "SELECT version FROM llmkit_template_labels WHERE id = $id AND label = $label;");
                byLabel.Parameters.AddWithValue("$id", id);
                byLabel.Parameters.AddWithValue("$label", label ?? TemplateStoreRules.LatestLabel);
                if (byLabel.ExecuteScalar() is not long labelled)
                {
                    return null;
                }

                wanted = (int)labelled;
            }

            using var select = SqliteDatabase.Command(connection, transaction, "SELECT created_at, body FROM llmkit_templates WHERE id = $id AND version = $version;");
            select.Parameters.AddWithValue("$id", id);
            select.Parameters.AddWithValue("$version", wanted);
            using var reader = select.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            long createdAt = reader.GetInt64(0);
            string body = reader.GetString(1);
            return TemplateStoreRules.Deserialize(body, wanted, createdAt, TemplateStoreRules.LabelsOf(Labels(connection, transaction, id), wanted));
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<PromptTemplate>> GetVersionsAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return await _database.ReadAsync<IReadOnlyList<PromptTemplate>>((connection, transaction) =>
        {
            var labels = Labels(connection, transaction, id);
            using var select = SqliteDatabase.Command(connection, transaction, "SELECT version, created_at, body FROM llmkit_templates WHERE id = $id ORDER BY version;");
            select.Parameters.AddWithValue("$id", id);
            using var reader = select.ExecuteReader();
            var versions = new List<PromptTemplate>();
            while (reader.Read())
            {
                int version = reader.GetInt32(0);
                versions.Add(TemplateStoreRules.Deserialize(reader.GetString(2), version, reader.GetInt64(1), TemplateStoreRules.LabelsOf(labels, version)));
            }

            return versions;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<PromptTemplate>> ListAsync(CancellationToken cancellationToken = default)
    {
        return await _database.ReadAsync<IReadOnlyList<PromptTemplate>>((connection, transaction) =>
        {
            var labels = new Dictionary<string, List<(string, int)>>(StringComparer.Ordinal);
            using (var labelSelect = SqliteDatabase.Command(connection, transaction, "SELECT id, label, version FROM llmkit_template_labels;"))
            using (var labelReader = labelSelect.ExecuteReader())
            {
                while (labelReader.Read())
                {
                    string id = labelReader.GetString(0);
                    if (!labels.TryGetValue(id, out var list))
                    {
                        labels[id] = list = [];
                    }

                    list.Add((labelReader.GetString(1), labelReader.GetInt32(2)));
                }
            }

            using var select = SqliteDatabase.Command(connection, transaction, """
                SELECT t.id, t.version, t.created_at, t.body FROM llmkit_template_heads h
                JOIN llmkit_templates t ON t.id = h.id AND t.version = h.latest_version;
                """);
            using var reader = select.ExecuteReader();
            var templates = new List<PromptTemplate>();
            while (reader.Read())
            {
                string id = reader.GetString(0);
                int version = reader.GetInt32(1);
                var own = labels.TryGetValue(id, out var list) ? TemplateStoreRules.LabelsOf(list, version) : [];
                templates.Add(TemplateStoreRules.Deserialize(reader.GetString(3), version, reader.GetInt64(2), own));
            }

            templates.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
            return templates;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task SetLabelAsync(string id, string label, int version, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        TemplateStoreRules.CheckLabel(label);
        await _database.WriteAsync((connection, transaction) =>
        {
            using (var head = SqliteDatabase.Command(connection, transaction, "SELECT latest_version FROM llmkit_template_heads WHERE id = $id;"))
            {
                head.Parameters.AddWithValue("$id", id);
                if (head.ExecuteScalar() is not long latest)
                {
                    throw new TemplateNotFoundException(id, null, null);
                }

                if (version < 1 || version > latest)
                {
                    throw new TemplateNotFoundException(id, version, null);
                }
            }

            Upsert(connection, transaction, id, label, version);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static void Upsert(SqliteConnection connection, SqliteTransaction transaction, string id, string label, int version)
    {
        using var upsert = SqliteDatabase.Command(connection, transaction, """
            INSERT INTO llmkit_template_labels (id, label, version) VALUES ($id, $label, $version)
            ON CONFLICT (id, label) DO UPDATE SET version = excluded.version;
            """);
        upsert.Parameters.AddWithValue("$id", id);
        upsert.Parameters.AddWithValue("$label", label);
        upsert.Parameters.AddWithValue("$version", version);
        upsert.ExecuteNonQuery();
    }

    private static List<(string Label, int Version)> Labels(SqliteConnection connection, SqliteTransaction transaction, string id)
    {
        using var select = SqliteDatabase.Command(connection, transaction, "SELECT label, version FROM llmkit_template_labels WHERE id = $id;");
        select.Parameters.AddWithValue("$id", id);
        using var reader = select.ExecuteReader();
        var labels = new List<(string, int)>();
        while (reader.Read())
        {
            labels.Add((reader.GetString(0), reader.GetInt32(1)));
        }

        return labels;
    }
}
