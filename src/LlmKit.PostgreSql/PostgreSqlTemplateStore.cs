using Npgsql;

namespace LlmKit;

/// <summary>
/// An <see cref="ITemplateStore"/> on PostgreSQL: every version kept as JSON and never changed, labels in their own
/// table. A save takes the next version from the template's head row (one atomic upsert that locks the row until
/// commit) and moves <c>latest</c> in the same transaction; a label move locks the same row, so concurrent saves on
/// any machine get consecutive versions and a label always points at exactly one version. Experiments are rows with
/// their variants in order; each score report is one atomic upsert of the version's (and the variant's) totals, so
/// concurrent reports from every machine are all counted.
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
        StoreRules.CheckIdentifier(id, "template id", nameof(id));
        StoreRules.CheckIdentifier(label, "label", nameof(label));
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
        StoreRules.CheckIdentifier(id, "template id", nameof(id));
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
        StoreRules.CheckIdentifier(id, "template id", nameof(id));
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

    /// <inheritdoc/>
    public async Task<TemplateExperiment> DefineExperimentAsync(TemplateExperiment experiment, CancellationToken cancellationToken = default)
    {
        TemplateExperimentRules.CheckExperiment(experiment);
        var created = TemplateExperimentRules.Stored(experiment, StoreRules.Normalize(_timeProvider.GetUtcNow()));
        return await _database.RunAsync(async (connection, transaction) =>
        {
            if (await ReadExperimentAsync(connection, transaction, experiment.Id, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                return TemplateExperimentRules.Redefined(stored, experiment);
            }

            await using (var head = PostgreSqlDatabase.Command(connection, transaction, "SELECT latest_version FROM llmkit_template_heads WHERE id = @id;"))
            {
                head.Parameters.AddWithValue("id", experiment.TemplateId);
                if (await head.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not int latest)
                {
                    throw new TemplateNotFoundException(experiment.TemplateId, null, null);
                }

                foreach (var variant in experiment.Variants)
                {
                    if (variant.Version < 1 || variant.Version > latest)
                    {
                        throw new TemplateNotFoundException(experiment.TemplateId, variant.Version, null);
                    }
                }
            }

            await using (var insert = PostgreSqlDatabase.Command(connection, transaction, "INSERT INTO llmkit_template_experiments (id, template_id, created_at) VALUES (@id, @template, @created) ON CONFLICT (id) DO NOTHING;"))
            {
                insert.Parameters.AddWithValue("id", created.Id);
                insert.Parameters.AddWithValue("template", created.TemplateId);
                insert.Parameters.AddWithValue("created", created.CreatedAt.UtcTicks);
                if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    // Another machine defined the id after the read above (its insert committed while this one waited).
                    var raced = await ReadExperimentAsync(connection, transaction, experiment.Id, cancellationToken).ConfigureAwait(false);
                    return TemplateExperimentRules.Redefined(raced!, experiment);
                }
            }

            await using var variants = PostgreSqlDatabase.Command(connection, transaction, "INSERT INTO llmkit_template_experiment_variants (experiment_id, position, name, version, weight) VALUES (@id, @position, @name, @version, @weight);");
            variants.Parameters.AddWithValue("id", created.Id);
            var position = variants.Parameters.Add("position", NpgsqlTypes.NpgsqlDbType.Integer);
            var name = variants.Parameters.Add("name", NpgsqlTypes.NpgsqlDbType.Text);
            var version = variants.Parameters.Add("version", NpgsqlTypes.NpgsqlDbType.Integer);
            var weight = variants.Parameters.Add("weight", NpgsqlTypes.NpgsqlDbType.Double);
            for (int i = 0; i < created.Variants.Count; i++)
            {
                position.Value = i;
                name.Value = created.Variants[i].Name;
                version.Value = created.Variants[i].Version;
                weight.Value = created.Variants[i].Weight;
                await variants.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return created;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<TemplateExperiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentId);
        StoreRules.CheckIdentifier(experimentId, "experiment id", nameof(experimentId));
        return await _database.RunAsync((connection, transaction) => ReadExperimentAsync(connection, transaction, experimentId, cancellationToken), cancellationToken, snapshot: true).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TemplateExperiment>> ListExperimentsAsync(string? templateId = null, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckIdentifier(templateId, "template id", nameof(templateId));
        return await _database.RunAsync<IReadOnlyList<TemplateExperiment>>(async (connection, transaction) =>
        {
            await using var select = PostgreSqlDatabase.Command(connection, transaction, """
                SELECT e.id, e.template_id, e.created_at, e.ended_at, v.name, v.version, v.weight
                FROM llmkit_template_experiments e JOIN llmkit_template_experiment_variants v ON v.experiment_id = e.id
                WHERE @template::text IS NULL OR e.template_id = @template::text
                ORDER BY e.id, v.position;
                """);
            select.Parameters.Add(new NpgsqlParameter("template", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)templateId ?? DBNull.Value });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await ReadExperimentsAsync(reader, cancellationToken).ConfigureAwait(false);
        }, cancellationToken, snapshot: true).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<TemplateExperiment> EndExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentId);
        StoreRules.CheckIdentifier(experimentId, "experiment id", nameof(experimentId));
        long now = StoreRules.Normalize(_timeProvider.GetUtcNow()).UtcTicks;
        return await _database.RunAsync(async (connection, transaction) =>
        {
            await using (var end = PostgreSqlDatabase.Command(connection, transaction, "UPDATE llmkit_template_experiments SET ended_at = coalesce(ended_at, @now) WHERE id = @id;"))
            {
                end.Parameters.AddWithValue("id", experimentId);
                end.Parameters.AddWithValue("now", now);
                if (await end.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    throw TemplateExperimentRules.NotDefined(experimentId);
                }
            }

            return (await ReadExperimentAsync(connection, transaction, experimentId, cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task RecordScoreAsync(string templateId, int version, double score, string? experimentId = null, string? variant = null, CancellationToken cancellationToken = default)
    {
        TemplateExperimentRules.CheckScore(templateId, score, experimentId, variant);
        await _database.RunAsync(async (connection, transaction) =>
        {
            // The shift is the first score; every later score adds its distance from it (see TemplateScoreAggregate.Add).
            await using (var versionScore = PostgreSqlDatabase.Command(connection, transaction, """
                INSERT INTO llmkit_template_scores AS s (template_id, version, score_count, shift, shifted_sum, shifted_squares)
                SELECT @id, @version, 1, @score, 0, 0
                WHERE @version >= 1 AND EXISTS (SELECT 1 FROM llmkit_template_heads WHERE id = @id AND latest_version >= @version)
                ON CONFLICT (template_id, version) DO UPDATE SET
                    score_count = s.score_count + 1,
                    shifted_sum = s.shifted_sum + (@score - s.shift),
                    shifted_squares = s.shifted_squares + ((@score - s.shift) * (@score - s.shift));
                """))
            {
                versionScore.Parameters.AddWithValue("id", templateId);
                versionScore.Parameters.AddWithValue("version", version);
                versionScore.Parameters.AddWithValue("score", score);
                if (await versionScore.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    throw new TemplateNotFoundException(templateId, version, null);
                }
            }

            if (experimentId is not null)
            {
                await using var variantScore = PostgreSqlDatabase.Command(connection, transaction, """
                    INSERT INTO llmkit_template_variant_scores AS s (experiment_id, variant, score_count, shift, shifted_sum, shifted_squares)
                    SELECT @experiment, @variant, 1, @score, 0, 0
                    WHERE EXISTS (SELECT 1 FROM llmkit_template_experiment_variants WHERE experiment_id = @experiment AND name = @variant)
                    ON CONFLICT (experiment_id, variant) DO UPDATE SET
                        score_count = s.score_count + 1,
                        shifted_sum = s.shifted_sum + (@score - s.shift),
                        shifted_squares = s.shifted_squares + ((@score - s.shift) * (@score - s.shift));
                    """);
                variantScore.Parameters.AddWithValue("experiment", experimentId);
                variantScore.Parameters.AddWithValue("variant", variant!);
                variantScore.Parameters.AddWithValue("score", score);
                if (await variantScore.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    // Thrown inside the transaction, so the version's totals roll back too.
                    throw TemplateExperimentRules.UnknownVariant(experimentId, variant!);
                }
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<int, TemplateScoreAggregate>> GetVersionScoresAsync(string templateId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(templateId);
        StoreRules.CheckIdentifier(templateId, "template id", nameof(templateId));
        return await _database.RunAsync<IReadOnlyDictionary<int, TemplateScoreAggregate>>(async (connection, transaction) =>
        {
            await using var select = PostgreSqlDatabase.Command(connection, transaction, "SELECT version, score_count, shift, shifted_sum, shifted_squares FROM llmkit_template_scores WHERE template_id = @id;");
            select.Parameters.AddWithValue("id", templateId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var scores = new Dictionary<int, TemplateScoreAggregate>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                scores[reader.GetInt32(0)] = new TemplateScoreAggregate { Count = reader.GetInt64(1), Shift = reader.GetDouble(2), ShiftedSum = reader.GetDouble(3), ShiftedSumOfSquares = reader.GetDouble(4) };
            }

            return scores;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<string, TemplateScoreAggregate>> GetVariantScoresAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentId);
        StoreRules.CheckIdentifier(experimentId, "experiment id", nameof(experimentId));
        return await _database.RunAsync<IReadOnlyDictionary<string, TemplateScoreAggregate>>(async (connection, transaction) =>
        {
            await using var select = PostgreSqlDatabase.Command(connection, transaction, "SELECT variant, score_count, shift, shifted_sum, shifted_squares FROM llmkit_template_variant_scores WHERE experiment_id = @id;");
            select.Parameters.AddWithValue("id", experimentId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var scores = new Dictionary<string, TemplateScoreAggregate>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                scores[reader.GetString(0)] = new TemplateScoreAggregate { Count = reader.GetInt64(1), Shift = reader.GetDouble(2), ShiftedSum = reader.GetDouble(3), ShiftedSumOfSquares = reader.GetDouble(4) };
            }

            return scores;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<TemplateExperiment?> ReadExperimentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string experimentId, CancellationToken cancellationToken)
    {
        await using var select = PostgreSqlDatabase.Command(connection, transaction, """
            SELECT e.id, e.template_id, e.created_at, e.ended_at, v.name, v.version, v.weight
            FROM llmkit_template_experiments e JOIN llmkit_template_experiment_variants v ON v.experiment_id = e.id
            WHERE e.id = @id
            ORDER BY v.position;
            """);
        select.Parameters.AddWithValue("id", experimentId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var experiments = await ReadExperimentsAsync(reader, cancellationToken).ConfigureAwait(false);
        return experiments.Count > 0 ? experiments[0] : null;
    }

    /// <summary>Reads rows of (id, template, created, ended, variant name, version, weight) ordered by id and position.</summary>
    private static async Task<List<TemplateExperiment>> ReadExperimentsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var experiments = new List<TemplateExperiment>();
        List<TemplateExperimentVariant>? variants = null;
        TemplateExperiment? current = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string id = reader.GetString(0);
            if (current is null || !string.Equals(current.Id, id, StringComparison.Ordinal))
            {
                variants = [];
                current = new TemplateExperiment
                {
                    Id = id,
                    TemplateId = reader.GetString(1),
                    Variants = variants,
                    CreatedAt = new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero),
                    EndedAt = reader.IsDBNull(3) ? null : new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
                };
                experiments.Add(current);
            }

            variants!.Add(new TemplateExperimentVariant(reader.GetString(4), reader.GetInt32(5), reader.GetDouble(6)));
        }

        return experiments;
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
