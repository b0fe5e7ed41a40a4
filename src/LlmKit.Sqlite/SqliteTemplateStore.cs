using Microsoft.Data.Sqlite;

namespace LlmKit;

/// <summary>
/// An <see cref="ITemplateStore"/> on an embedded SQLite database file: every version kept as JSON and never changed,
/// labels in their own table. A save takes the next version and moves <c>latest</c> in one write transaction, and a
/// label move is one upsert, so concurrent saves get consecutive versions and a label always points at one version.
/// Experiments are rows with their variants in order; each score report is one upsert of the version's (and the
/// variant's) totals in a write transaction, so concurrent reports from any thread or process are all counted.
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
        StoreRules.CheckIdentifier(id, "template id", nameof(id));
        StoreRules.CheckIdentifier(label, "label", nameof(label));
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
        StoreRules.CheckIdentifier(id, "template id", nameof(id));
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
        StoreRules.CheckIdentifier(id, "template id", nameof(id));
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

    /// <inheritdoc/>
    public async Task<TemplateExperiment> DefineExperimentAsync(TemplateExperiment experiment, CancellationToken cancellationToken = default)
    {
        TemplateExperimentRules.CheckExperiment(experiment);
        var created = TemplateExperimentRules.Stored(experiment, StoreRules.Normalize(_timeProvider.GetUtcNow()));
        return await _database.WriteAsync((connection, transaction) =>
        {
            if (ReadExperiment(connection, transaction, experiment.Id) is { } stored)
            {
                return TemplateExperimentRules.Redefined(stored, experiment);
            }

            using (var head = SqliteDatabase.Command(connection, transaction, "SELECT latest_version FROM llmkit_template_heads WHERE id = $id;"))
            {
                head.Parameters.AddWithValue("$id", experiment.TemplateId);
                if (head.ExecuteScalar() is not long latest)
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

            using (var insert = SqliteDatabase.Command(connection, transaction, "INSERT INTO llmkit_template_experiments (id, template_id, created_at) VALUES ($id, $template, $created);"))
            {
                insert.Parameters.AddWithValue("$id", created.Id);
                insert.Parameters.AddWithValue("$template", created.TemplateId);
                insert.Parameters.AddWithValue("$created", created.CreatedAt.UtcTicks);
                insert.ExecuteNonQuery();
            }

            using var variants = SqliteDatabase.Command(connection, transaction, "INSERT INTO llmkit_template_experiment_variants (experiment_id, position, name, version, weight) VALUES ($id, $position, $name, $version, $weight);");
            var position = variants.Parameters.Add("$position", SqliteType.Integer);
            var name = variants.Parameters.Add("$name", SqliteType.Text);
            var version = variants.Parameters.Add("$version", SqliteType.Integer);
            var weight = variants.Parameters.Add("$weight", SqliteType.Real);
            variants.Parameters.AddWithValue("$id", created.Id);
            for (int i = 0; i < created.Variants.Count; i++)
            {
                position.Value = i;
                name.Value = created.Variants[i].Name;
                version.Value = created.Variants[i].Version;
                weight.Value = created.Variants[i].Weight;
                variants.ExecuteNonQuery();
            }

            return created;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<TemplateExperiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentId);
        StoreRules.CheckIdentifier(experimentId, "experiment id", nameof(experimentId));
        return await _database.ReadAsync((connection, transaction) => ReadExperiment(connection, transaction, experimentId), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TemplateExperiment>> ListExperimentsAsync(string? templateId = null, CancellationToken cancellationToken = default)
    {
        StoreRules.CheckIdentifier(templateId, "template id", nameof(templateId));
        return await _database.ReadAsync<IReadOnlyList<TemplateExperiment>>((connection, transaction) =>
        {
            using var select = SqliteDatabase.Command(connection, transaction, """
                SELECT e.id, e.template_id, e.created_at, e.ended_at, v.name, v.version, v.weight
                FROM llmkit_template_experiments e JOIN llmkit_template_experiment_variants v ON v.experiment_id = e.id
                WHERE $template IS NULL OR e.template_id = $template
                ORDER BY e.id, v.position;
                """);
            select.Parameters.AddWithValue("$template", (object?)templateId ?? DBNull.Value);
            using var reader = select.ExecuteReader();
            return ReadExperiments(reader);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<TemplateExperiment> EndExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentId);
        StoreRules.CheckIdentifier(experimentId, "experiment id", nameof(experimentId));
        long now = StoreRules.Normalize(_timeProvider.GetUtcNow()).UtcTicks;
        return await _database.WriteAsync((connection, transaction) =>
        {
            using (var end = SqliteDatabase.Command(connection, transaction, "UPDATE llmkit_template_experiments SET ended_at = coalesce(ended_at, $now) WHERE id = $id;"))
            {
                end.Parameters.AddWithValue("$id", experimentId);
                end.Parameters.AddWithValue("$now", now);
                if (end.ExecuteNonQuery() == 0)
                {
                    throw TemplateExperimentRules.NotDefined(experimentId);
                }
            }

            return ReadExperiment(connection, transaction, experimentId)!;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task RecordScoreAsync(string templateId, int version, double score, string? experimentId = null, string? variant = null, CancellationToken cancellationToken = default)
    {
        TemplateExperimentRules.CheckScore(templateId, score, experimentId, variant);
        await _database.WriteAsync((connection, transaction) =>
        {
            // The shift is the first score; every later score adds its distance from it (see TemplateScoreAggregate.Add).
            using (var versionScore = SqliteDatabase.Command(connection, transaction, """
                INSERT INTO llmkit_template_scores (template_id, version, score_count, shift, shifted_sum, shifted_squares)
                SELECT $id, $version, 1, $score, 0.0, 0.0
                WHERE EXISTS (SELECT 1 FROM llmkit_template_heads WHERE id = $id AND latest_version >= $version AND $version >= 1)
                ON CONFLICT (template_id, version) DO UPDATE SET
                    score_count = score_count + 1,
                    shifted_sum = shifted_sum + ($score - shift),
                    shifted_squares = shifted_squares + (($score - shift) * ($score - shift));
                """))
            {
                versionScore.Parameters.AddWithValue("$id", templateId);
                versionScore.Parameters.AddWithValue("$version", version);
                versionScore.Parameters.AddWithValue("$score", score);
                if (versionScore.ExecuteNonQuery() == 0)
                {
                    throw new TemplateNotFoundException(templateId, version, null);
                }
            }

            if (experimentId is not null)
            {
                using var variantScore = SqliteDatabase.Command(connection, transaction, """
                    INSERT INTO llmkit_template_variant_scores (experiment_id, variant, score_count, shift, shifted_sum, shifted_squares)
                    SELECT $experiment, $variant, 1, $score, 0.0, 0.0
                    WHERE EXISTS (SELECT 1 FROM llmkit_template_experiment_variants WHERE experiment_id = $experiment AND name = $variant)
                    ON CONFLICT (experiment_id, variant) DO UPDATE SET
                        score_count = score_count + 1,
                        shifted_sum = shifted_sum + ($score - shift),
                        shifted_squares = shifted_squares + (($score - shift) * ($score - shift));
                    """);
                variantScore.Parameters.AddWithValue("$experiment", experimentId);
                variantScore.Parameters.AddWithValue("$variant", variant!);
                variantScore.Parameters.AddWithValue("$score", score);
                if (variantScore.ExecuteNonQuery() == 0)
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
        return await _database.ReadAsync<IReadOnlyDictionary<int, TemplateScoreAggregate>>((connection, transaction) =>
        {
            using var select = SqliteDatabase.Command(connection, transaction, "SELECT version, score_count, shift, shifted_sum, shifted_squares FROM llmkit_template_scores WHERE template_id = $id;");
            select.Parameters.AddWithValue("$id", templateId);
            using var reader = select.ExecuteReader();
            var scores = new Dictionary<int, TemplateScoreAggregate>();
            while (reader.Read())
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
        return await _database.ReadAsync<IReadOnlyDictionary<string, TemplateScoreAggregate>>((connection, transaction) =>
        {
            using var select = SqliteDatabase.Command(connection, transaction, "SELECT variant, score_count, shift, shifted_sum, shifted_squares FROM llmkit_template_variant_scores WHERE experiment_id = $id;");
            select.Parameters.AddWithValue("$id", experimentId);
            using var reader = select.ExecuteReader();
            var scores = new Dictionary<string, TemplateScoreAggregate>(StringComparer.Ordinal);
            while (reader.Read())
            {
                scores[reader.GetString(0)] = new TemplateScoreAggregate { Count = reader.GetInt64(1), Shift = reader.GetDouble(2), ShiftedSum = reader.GetDouble(3), ShiftedSumOfSquares = reader.GetDouble(4) };
            }

            return scores;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static TemplateExperiment? ReadExperiment(SqliteConnection connection, SqliteTransaction transaction, string experimentId)
    {
        using var select = SqliteDatabase.Command(connection, transaction, """
            SELECT e.id, e.template_id, e.created_at, e.ended_at, v.name, v.version, v.weight
            FROM llmkit_template_experiments e JOIN llmkit_template_experiment_variants v ON v.experiment_id = e.id
            WHERE e.id = $id
            ORDER BY v.position;
            """);
        select.Parameters.AddWithValue("$id", experimentId);
        using var reader = select.ExecuteReader();
        var experiments = ReadExperiments(reader);
        return experiments.Count > 0 ? experiments[0] : null;
    }

    /// <summary>Reads rows of (id, template, created, ended, variant name, version, weight) ordered by id and position.</summary>
    private static List<TemplateExperiment> ReadExperiments(SqliteDataReader reader)
    {
        var experiments = new List<TemplateExperiment>();
        List<TemplateExperimentVariant>? variants = null;
        TemplateExperiment? current = null;
        while (reader.Read())
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
