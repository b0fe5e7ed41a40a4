using Npgsql;

namespace LlmKit;

/// <summary>
/// An <see cref="ITemplateStore"/> on PostgreSQL: every version kept as JSON and never changed, labels in their own
/// table. A save takes the next version from the template's head row (one atomic upsert that locks the row until
/// commit) and moves <c>latest</c> in the same transaction; a label move locks the same row, so concurrent saves on
/// any machine get consecutive versions and a label always points at exactly one version.
/// </summary>
public sealed class PostgreSqlTemplateStore : ITemplateStore
{
    private readonly PostgreSqlDatabase _database;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="dataSource">The data source; the caller owns and disposes it.</param>
    /// <param name="timeProvider">The clock that stamps <see cref="PromptTemplate.CreatedAt"/>; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is <see langword="null"/>.</exception>
    public PostgreSqlTemplateStore(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null)
    {
        _database = new PostgreSqlDatabase(dataSource);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public async Task<PromptTemplate> SaveAsync(PromptTemplate promptTemplate, CancellationToken cancellationToken = default)
    {
        TemplateStoreRules.CheckTemplate(promptTemplate);
        string body = TemplateStoreRules.Serialize(promptTemplate);
        string id = promptTemplate.Id;
        long createdAt = StoreRules.Normalize(_timeProvider.GetUtcNow()).UtcTicks;
        int version = await _database.RunAsync(async (connection, transaction) =>
        {
            int next;
            await using (var head = PostgreSqlDatabase.Command(connection, transaction, """
                INSERT INTO llmkit_template_heads AS h (id, latest_version) VALUES (@id, 1)
                ON CONFLICT (id) DO UPDATE SET latest_version = h.latest_version + 1
                RETURNING latest_version;
                """))
            {
                head.Parameters.AddWithValue("id", id);
                next = (int)(await head.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            await using (var insert = PostgreSqlDatabase.Command(connection, transaction, "INSERT INTO llmkit_templates (id, version, created_at, body) VALUES (@id, @version, @created, @body);"))
            {
                insert.Parameters.AddWithValue("id", id);
                insert.Parameters.AddWithValue("version", next);
                insert.Parameters.AddWithValue("created", createdAt);
                insert.Parameters.AddWithValue("body", body);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await UpsertAsync(connection, transaction, id, TemplateStoreRules.LatestLabel, next, cancellationToken).ConfigureAwait(false);
            return next;
        }, cancellationToken).ConfigureAwait(false);

        return TemplateStoreRules.Deserialize(body, version, createdAt, [TemplateStoreRules.LatestLabel]);
    }

    /// <inheritdoc/>
    public async Task<PromptTemplate?> GetAsync(string id, int? version = null, string? label = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return await _database.RunAsync(async (connection, transaction) =>
        {
            int wanted;
            if (version is { } v)
            {
                wanted = v;
            }
            else
            {
                await using var byLabel = PostgreSqlDatabase.Command(connection, transaction, "SELECT version FROM llmkit_template_labels WHERE id = @id AND label = @label;");
                byLabel.Parameters.AddWithValue("id", id);
                byLabel.Parameters.AddWithValue("label", label ?? TemplateStoreRules.LatestLabel);
                if (await byLabel.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not int labelled)
                {
                    return null;
                }

                wanted = labelled;
            }

            long createdAt;
            string body;
            await using (var select = PostgreSqlDatabase.Command(connection, transaction, "SELECT created_at, body FROM llmkit_templates WHERE id = @id AND version = @version;"))
            {
                select.Parameters.AddWithValue("id", id);
                select.Parameters.AddWithValue("version", wanted);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                createdAt = reader.GetInt64(0);
                body = reader.GetString(1);
            }

            var labels = await LabelsAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
            return TemplateStoreRules.Deserialize(body, wanted, createdAt, TemplateStoreRules.LabelsOf(labels, wanted));
        }, cancellationToken, snapshot: true).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<PromptTemplate>> GetVersionsAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return await _database.RunAsync<IReadOnlyList<PromptTemplate>>(async (connection, transaction) =>
        {
            var labels = await LabelsAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
            await using var select = PostgreSqlDatabase.Command(connection, transaction, "SELECT version, created_at, body FROM llmkit_templates WHERE id = @id ORDER BY version;");
            select.Parameters.AddWithValue("id", id);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var versions = new List<PromptTemplate>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                int version = reader.GetInt32(0);
                versions.Add(TemplateStoreRules.Deserialize(reader.GetString(2), version, reader.GetInt64(1), TemplateStoreRules.LabelsOf(labels, version)));
            }

            return versions;
        }, cancellationToken, snapshot: true).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<PromptTemplate>> ListAsync(CancellationToken cancellationToken = default)
    {
        return await _database.RunAsync<IReadOnlyList<PromptTemplate>>(async (connection, transaction) =>
        {
            var labels = new Dictionary<string, List<(string, int)>>(StringComparer.Ordinal);
            await using (var labelSelect = PostgreSqlDatabase.Command(connection, transaction, "SELECT id, label, version FROM llmkit_template_labels;"))
            await using (var labelReader = await labelSelect.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await labelReader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    string id = labelReader.GetString(0);
                    if (!labels.TryGetValue(id, out var list))
                    {
                        labels[id] = list = [];
                    }

                    list.Add((labelReader.GetString(1), labelReader.GetInt32(2)));
                }
            }

            await using var select = PostgreSqlDatabase.Command(connection, transaction, """
                SELECT t.id, t.version, t.created_at, t.body FROM llmkit_template_heads h
                JOIN llmkit_templates t ON t.id = h.id AND t.version = h.latest_version;
                """);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var templates = new List<PromptTemplate>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                string id = reader.GetString(0);
                int version = reader.GetInt32(1);
                var own = labels.TryGetValue(id, out var list) ? TemplateStoreRules.LabelsOf(list, version) : [];
                templates.Add(TemplateStoreRules.Deserialize(reader.GetString(3), version, reader.GetInt64(2), own));
            }

            templates.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
            return templates;
        }, cancellationToken, snapshot: true).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task SetLabelAsync(string id, string label, int version, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        TemplateStoreRules.CheckLabel(label);
        await _database.RunAsync(async (connection, transaction) =>
        {
            await using (var head = PostgreSqlDatabase.Command(connection, transaction, "SELECT latest_version FROM llmkit_template_heads WHERE id = @id FOR UPDATE;"))
            {
                head.Parameters.AddWithValue("id", id);
                if (await head.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not int latest)
                {
                    throw new TemplateNotFoundException(id, null, null);
                }

                if (version < 1 || version > latest)
                {
                    throw new TemplateNotFoundException(id, version, null);
                }
            }

            await UpsertAsync(connection, transaction, id, label, version, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string id, string label, int version, CancellationToken cancellationToken)
    {
        await using var upsert = PostgreSqlDatabase.Command(connection, transaction, """
            INSERT INTO llmkit_template_labels (id, label, version) VALUES (@id, @label, @version)
            ON CONFLICT (id, label) DO UPDATE SET version = excluded.version;
            """);
        upsert.Parameters.AddWithValue("id", id);
        upsert.Parameters.AddWithValue("label", label);
        upsert.Parameters.AddWithValue("version", version);
        await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<(string Label, int Version)>> LabelsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string id, CancellationToken cancellationToken)
    {
        await using var select = PostgreSqlDatabase.Command(connection, transaction, "SELECT label, version FROM llmkit_template_labels WHERE id = @id;");
        select.Parameters.AddWithValue("id", id);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var labels = new List<(string, int)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            labels.Add((reader.GetString(0), reader.GetInt32(1)));
        }

        return labels;
    }
}
