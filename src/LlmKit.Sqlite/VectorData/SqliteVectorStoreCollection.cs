using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace LlmKit;

/// <summary>
/// A collection of a <see cref="SqliteVectorStore"/>: rows in the SQLite file, an in-process copy of the records and
/// vectors for exact SIMD search (loaded on first use, reloaded when the file's copy changed), FTS5 BM25 keyword search
/// (<see cref="IKeywordSearchable{TRecord}"/>) and hybrid search with reciprocal rank fusion.
/// </summary>
/// <typeparam name="TKey">The key type: string, Guid, int or long.</typeparam>
/// <typeparam name="TRecord">The record type (attributed with the VectorData attributes, or described by a definition).</typeparam>
/// <remarks>A batch upsert or delete is one transaction: all of it is written, or none.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "VectorData names a store's collection type VectorStoreCollection.")]
public sealed class SqliteVectorStoreCollection<TKey, TRecord> : VectorStoreCollection<TKey, TRecord>, IKeywordSearchable<TRecord>, IKeywordHybridSearchable<TRecord>
    where TKey : notnull
    where TRecord : class
{
    private readonly SqliteDatabase _database;
    private readonly CollectionModel _model;
    private readonly VectorRecordCodec<TRecord> _codec;
    private readonly string _dimensions;
    private (VectorRecordIndex<TKey, TRecord> Index, long Version)? _loaded;

    /// <summary>Initializes a new collection; prefer <see cref="SqliteVectorStore.GetCollection{TKey, TRecord}"/>.</summary>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string.</param>
    /// <param name="name">The collection's name.</param>
    /// <param name="definition">The record definition; <see langword="null"/> (the default) to read the record type's attributes.</param>
    public SqliteVectorStoreCollection(string connectionString, string name, VectorStoreCollectionDefinition? definition = null)
        : this(new SqliteDatabase(connectionString), name, definition)
    {
    }

    internal SqliteVectorStoreCollection(SqliteDatabase database, string name, VectorStoreCollectionDefinition? definition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _database = database;
        Name = name;
        _model = VectorCollectionSupport.BuildModel<TKey, TRecord>(definition, definition?.EmbeddingGenerator);
        _codec = new VectorRecordCodec<TRecord>(_model);
        _dimensions = JsonSerializer.Serialize(_model.VectorProperties.Select(p => p.Dimensions).ToArray());
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) =>
        SqliteVectorTables.ExistsAsync(_database, Name, cancellationToken);

    /// <inheritdoc />
    /// <exception cref="VectorStoreException">The collection exists with vectors of other dimensions.</exception>
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) =>
        _database.WriteAsync((connection, transaction) =>
        {
            using var insert = SqliteDatabase.Command(connection, transaction, "INSERT INTO llmkit_vector_collections (name, dimensions, version) VALUES ($c, $d, 0) ON CONFLICT (name) DO NOTHING;");
            insert.Parameters.AddWithValue("$c", Name);
            insert.Parameters.AddWithValue("$d", _dimensions);
            insert.ExecuteNonQuery();
            using var read = SqliteDatabase.Command(connection, transaction, "SELECT dimensions FROM llmkit_vector_collections WHERE name = $c;");
            read.Parameters.AddWithValue("$c", Name);
            string stored = (string)read.ExecuteScalar()!;
            return stored == _dimensions ? 0 : throw new VectorStoreException(
                $"Collection '{Name}' exists with vector dimensions {stored}, but this record definition has {_dimensions}. Use another collection name, or delete this one first.");
        }, cancellationToken);

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        _loaded = null;
        return SqliteVectorTables.DeleteAsync(_database, Name, cancellationToken);
    }

    /// <inheritdoc />
    public override async Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        var index = await IndexAsync(cancellationToken).ConfigureAwait(false);
        return index.TryGet(key, out TRecord record) ? record : null;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<TRecord> GetAsync(IEnumerable<TKey> keys, RecordRetrievalOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var index = await IndexAsync(cancellationToken).ConfigureAwait(false);
        foreach (TKey key in keys)
        {
            if (index.TryGet(key, out TRecord record))
            {
                yield return record;
            }
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<TRecord> GetAsync(Expression<Func<TRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        VectorCollectionSupport.CheckTop(top);
        var index = await IndexAsync(cancellationToken).ConfigureAwait(false);
        foreach (TRecord record in index.Query(filter, top, options?.Skip ?? 0, options))
        {
            yield return record;
        }
    }

    /// <inheritdoc />
    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default) => DeleteAsync([key], cancellationToken);

    /// <inheritdoc />
    public override async Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.ToList();
        long version = await _database.WriteAsync((connection, transaction) =>
        {
            using var select = SqliteDatabase.Command(connection, transaction, "DELETE FROM llmkit_vector_records WHERE collection = $c AND key = $k RETURNING id;");
            using var fts = SqliteDatabase.Command(connection, transaction, "DELETE FROM llmkit_vector_fts WHERE rowid = $id;");
            var c = select.Parameters.Add("$c", SqliteType.Text);
            var k = select.Parameters.Add("$k", SqliteType.Text);
            var id = fts.Parameters.Add("$id", SqliteType.Integer);
            c.Value = Name;
            foreach (TKey key in list)
            {
                k.Value = VectorRecordCodec<TRecord>.KeyText(key);
                if (select.ExecuteScalar() is long rowId)
                {
                    id.Value = rowId;
                    fts.ExecuteNonQuery();
                }
            }

            return Bump(connection, transaction);
        }, cancellationToken).ConfigureAwait(false);
        Apply(version, index => index.Remove(list));
    }

    /// <inheritdoc />
    public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return UpsertAsync([record], cancellationToken);
    }

    /// <inheritdoc />
    public override async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var index = await IndexAsync(cancellationToken).ConfigureAwait(false);

        // Everything is checked and encoded before the transaction, so a bad record writes nothing.
        var items = records.Select(r => (index.KeyOf(r), r, index.ReadVectors(r))).ToList();
        var rows = items.Select(i => (Key: VectorRecordCodec<TRecord>.KeyText(i.Item1), Data: _codec.Data(i.r), Vectors: VectorRecordCodec<TRecord>.Vectors(i.Item3), Text: _codec.FullText(i.r))).ToList();
        long version = await _database.WriteAsync((connection, transaction) =>
        {
            using var upsert = SqliteDatabase.Command(connection, transaction, """
                INSERT INTO llmkit_vector_records (collection, key, data, vectors) VALUES ($c, $k, $d, $v)
                ON CONFLICT (collection, key) DO UPDATE SET data = excluded.data, vectors = excluded.vectors
                RETURNING id;
                """);
            using var unindex = SqliteDatabase.Command(connection, transaction, "DELETE FROM llmkit_vector_fts WHERE rowid = $id;");
            using var reindex = SqliteDatabase.Command(connection, transaction, "INSERT INTO llmkit_vector_fts (rowid, collection, text) VALUES ($id, $c, $t);");
            upsert.Parameters.AddWithValue("$c", Name);
            var k = upsert.Parameters.Add("$k", SqliteType.Text);
            var d = upsert.Parameters.Add("$d", SqliteType.Text);
            var v = upsert.Parameters.Add("$v", SqliteType.Blob);
            var unindexId = unindex.Parameters.Add("$id", SqliteType.Integer);
            var reindexId = reindex.Parameters.Add("$id", SqliteType.Integer);
            reindex.Parameters.AddWithValue("$c", Name);
            var t = reindex.Parameters.Add("$t", SqliteType.Text);
            foreach (var row in rows)
            {
                k.Value = row.Key;
                d.Value = row.Data;
                v.Value = row.Vectors;
                long id = (long)upsert.ExecuteScalar()!;
                unindexId.Value = id;
                unindex.ExecuteNonQuery();
                reindexId.Value = id;
                t.Value = row.Text;
                reindex.ExecuteNonQuery();
            }

            return Bump(connection, transaction);
        }, cancellationToken).ConfigureAwait(false);
        Apply(version, i => i.Upsert(items));
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        VectorCollectionSupport.CheckTop(top);
        var index = await IndexAsync(cancellationToken).ConfigureAwait(false);
        VectorPropertyModel property = VectorCollectionSupport.VectorPropertyFor(_model, options);
        ReadOnlyMemory<float> vector = await VectorCollectionSupport.ToVectorAsync(searchValue, property, cancellationToken).ConfigureAwait(false);
        foreach (var result in index.VectorSearch(vector.Span, property, options?.Filter, top, options?.Skip ?? 0, options?.ScoreThreshold))
        {
            yield return result;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<VectorSearchResult<TRecord>> KeywordSearchAsync(string query, int top, KeywordSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        VectorCollectionSupport.CheckTop(top);
        foreach (var result in await KeywordRankingAsync(query, options?.Filter, top + (options?.Skip ?? 0), cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<VectorSearchResult<TRecord>> HybridSearchAsync<TInput>(TInput searchValue, ICollection<string> keywords, int top, HybridSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TInput : notnull
    {
        ArgumentNullException.ThrowIfNull(keywords);
        VectorCollectionSupport.CheckTop(top);
        var index = await IndexAsync(cancellationToken).ConfigureAwait(false);
        VectorPropertyModel property = _model.GetVectorPropertyOrSingle(new VectorSearchOptions<TRecord> { VectorProperty = options?.VectorProperty });
        ReadOnlyMemory<float> vector = await VectorCollectionSupport.ToVectorAsync(searchValue, property, cancellationToken).ConfigureAwait(false);
        int candidates = Math.Max(top + (options?.Skip ?? 0), 20) * 2;
        var byVector = index.VectorSearch(vector.Span, property, options?.Filter, candidates, 0, null);
        var byKeyword = await KeywordRankingAsync(string.Join(' ', keywords), options?.Filter, candidates, cancellationToken).ConfigureAwait(false);
        var fused = ReciprocalRankFusion.Fuse<VectorSearchResult<TRecord>, TKey>([byVector, byKeyword], r => index.KeyOf(r.Record));
        foreach (var (item, score) in fused.Skip(options?.Skip ?? 0).Take(top))
        {
            if (options?.ScoreThreshold is { } threshold && score < threshold)
            {
                yield break;
            }

            yield return new VectorSearchResult<TRecord>(item.Record, score);
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreCollectionMetadata) ? new VectorStoreCollectionMetadata { VectorStoreSystemName = SqliteVectorTables.SystemName, CollectionName = Name }
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    private async Task<List<VectorSearchResult<TRecord>>> KeywordRankingAsync(string query, Expression<Func<TRecord, bool>>? filter, int wanted, CancellationToken cancellationToken)
    {
        string? match = SqliteVectorTables.MatchQuery(query);
        var index = await IndexAsync(cancellationToken).ConfigureAwait(false);
        if (match is null)
        {
            return [];
        }

        Func<TRecord, bool>? predicate = filter?.Compile();

        // Rows are read best first in growing pages until enough pass the filter (without one, the first page is the answer).
        int limit = Math.Max(wanted, 16) * (predicate is null ? 1 : 4);
        while (true)
        {
            var (results, rows) = await _database.ReadAsync((connection, transaction) =>
            {
                using var command = SqliteDatabase.Command(connection, transaction, """
                    SELECT r.key, bm25(llmkit_vector_fts) FROM llmkit_vector_fts
                    JOIN llmkit_vector_records r ON r.id = llmkit_vector_fts.rowid
                    WHERE llmkit_vector_fts MATCH $q AND llmkit_vector_fts.collection = $c
                    ORDER BY bm25(llmkit_vector_fts) LIMIT $n;
                    """);
                command.Parameters.AddWithValue("$q", match);
                command.Parameters.AddWithValue("$c", Name);
                command.Parameters.AddWithValue("$n", limit);
                using var reader = command.ExecuteReader();
                var found = new List<VectorSearchResult<TRecord>>();
                int read = 0;
                while (found.Count < wanted && reader.Read())
                {
                    read++;
                    if (index.TryGet((TKey)_codec.ParseKey(reader.GetString(0)), out TRecord record) && (predicate is null || predicate(record)))
                    {
                        // FTS5's bm25() is negated so that, as everywhere else, higher is better.
                        found.Add(new VectorSearchResult<TRecord>(record, -reader.GetDouble(1)));
                    }
                }

                return (found, read);
            }, cancellationToken).ConfigureAwait(false);
            if (results.Count >= wanted || rows < limit)
            {
                return results;
            }

            limit = limit > int.MaxValue / 4 ? int.MaxValue : limit * 4;
        }
    }

    /// <summary>The in-process copy, reloaded when the file's change counter differs from the one it was loaded at.</summary>
    private async Task<VectorRecordIndex<TKey, TRecord>> IndexAsync(CancellationToken cancellationToken)
    {
        var loaded = _loaded;
        var fresh = await _database.ReadAsync((connection, transaction) =>
        {
            long version = SqliteVectorTables.Version(connection, transaction, Name)
                ?? throw new VectorStoreException($"Collection '{Name}' does not exist; call EnsureCollectionExistsAsync first.");
            if (loaded is { } current && current.Version == version)
            {
                return current;
            }

            var index = new VectorRecordIndex<TKey, TRecord>(_model, Name, keywordIndex: false);
            using var command = SqliteDatabase.Command(connection, transaction, "SELECT key, data, vectors FROM llmkit_vector_records WHERE collection = $c;");
            command.Parameters.AddWithValue("$c", Name);
            using var reader = command.ExecuteReader();
            var items = new List<(TKey, TRecord, float[]?[])>();
            while (reader.Read())
            {
                TRecord record = _codec.Read(reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2));
                items.Add((index.KeyOf(record), record, index.ReadVectors(record)));
            }

            index.Upsert(items);
            return (index, version);
        }, cancellationToken).ConfigureAwait(false);
        _loaded = fresh;
        return fresh.Item1;
    }

    private long Bump(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = SqliteDatabase.Command(connection, transaction, "UPDATE llmkit_vector_collections SET version = version + 1 WHERE name = $c RETURNING version;");
        command.Parameters.AddWithValue("$c", Name);
        return command.ExecuteScalar() as long?
            ?? throw new VectorStoreException($"Collection '{Name}' does not exist; call EnsureCollectionExistsAsync first.");
    }

    /// <summary>Applies this process's own write to the copy when nothing else wrote in between; otherwise the next read reloads.</summary>
    private void Apply(long version, Action<VectorRecordIndex<TKey, TRecord>> change)
    {
        var loaded = _loaded;
        if (loaded is { } current && current.Version == version - 1)
        {
            change(current.Index);
            _loaded = (current.Index, version);
        }
    }
}
