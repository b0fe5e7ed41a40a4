using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Npgsql;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace LlmKit;

/// <summary>
/// A collection of a <see cref="PostgreSqlVectorStore"/>: rows with a <c>tsvector</c> keyword index (GIN) and the
/// vectors stored beside them as float32 blobs; an in-process copy of the records and vectors for exact SIMD search
/// (loaded on first use, reloaded when any machine changed the collection); <c>ts_rank</c> keyword search
/// (<see cref="IKeywordSearchable{TRecord}"/>) and hybrid search re-ranking with the vectors by reciprocal rank fusion.
/// </summary>
/// <typeparam name="TKey">The key type: string, Guid, int or long.</typeparam>
/// <typeparam name="TRecord">The record type (attributed with the VectorData attributes, or described by a definition).</typeparam>
/// <remarks>A batch upsert or delete is one transaction: all of it is written, or none.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "VectorData names a store's collection type VectorStoreCollection.")]
public sealed class PostgreSqlVectorStoreCollection<TKey, TRecord> : VectorStoreCollection<TKey, TRecord>, IKeywordSearchable<TRecord>, IKeywordHybridSearchable<TRecord>
    where TKey : notnull
    where TRecord : class
{
    private readonly PostgreSqlDatabase _database;
    private readonly CollectionModel _model;
    private readonly VectorRecordCodec<TRecord> _codec;
    private readonly string _dimensions;
    private (VectorRecordIndex<TKey, TRecord> Index, long Version)? _loaded;

    /// <summary>Initializes a new collection; prefer <see cref="PostgreSqlVectorStore.GetCollection{TKey, TRecord}"/>.</summary>
    /// <param name="dataSource">The Npgsql data source.</param>
    /// <param name="name">The collection's name.</param>
    /// <param name="definition">The record definition; <see langword="null"/> (the default) to read the record type's attributes.</param>
    public PostgreSqlVectorStoreCollection(NpgsqlDataSource dataSource, string name, VectorStoreCollectionDefinition? definition = null)
        : this(new PostgreSqlDatabase(dataSource), name, definition)
    {
    }

    internal PostgreSqlVectorStoreCollection(PostgreSqlDatabase database, string name, VectorStoreCollectionDefinition? definition)
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
        PostgreSqlVectorTables.ExistsAsync(_database, Name, cancellationToken);

    /// <inheritdoc />
    /// <exception cref="VectorStoreException">The collection exists with vectors of other dimensions.</exception>
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) =>
        _database.RunAsync(async (connection, transaction) =>
        {
            await using var insert = PostgreSqlDatabase.Command(connection, transaction, "INSERT INTO llmkit_vector_collections (name, dimensions, version) VALUES (@c, @d, 0) ON CONFLICT (name) DO NOTHING;");
            insert.Parameters.AddWithValue("c", Name);
            insert.Parameters.AddWithValue("d", _dimensions);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await using var read = PostgreSqlDatabase.Command(connection, transaction, "SELECT dimensions FROM llmkit_vector_collections WHERE name = @c;");
            read.Parameters.AddWithValue("c", Name);
            string stored = (string)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            return stored == _dimensions ? 0 : throw new VectorStoreException(
                $"Collection '{Name}' exists with vector dimensions {stored}, but this record definition has {_dimensions}. Use another collection name, or delete this one first.");
        }, cancellationToken);

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        _loaded = null;
        return PostgreSqlVectorTables.DeleteAsync(_database, Name, cancellationToken);
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
        long version = await _database.RunAsync(async (connection, transaction) =>
        {
            await using var delete = PostgreSqlDatabase.Command(connection, transaction, "DELETE FROM llmkit_vector_records WHERE collection = @c AND key = ANY(@k);");
            delete.Parameters.AddWithValue("c", Name);
            delete.Parameters.AddWithValue("k", list.Select(k => VectorRecordCodec<TRecord>.KeyText(k)).ToArray());
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return await BumpAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
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
        long version = await _database.RunAsync(async (connection, transaction) =>
        {
            await using var upsert = PostgreSqlDatabase.Command(connection, transaction, """
                INSERT INTO llmkit_vector_records (collection, key, data, vectors, search)
                SELECT @c, r.key, r.data::jsonb, r.vectors, to_tsvector('simple', r.text)
                FROM unnest(@k, @d, @v, @t) AS r(key, data, vectors, text)
                ON CONFLICT (collection, key) DO UPDATE SET data = excluded.data, vectors = excluded.vectors, search = excluded.search;
                """);
            upsert.Parameters.AddWithValue("c", Name);
            upsert.Parameters.AddWithValue("k", rows.Select(r => r.Key).ToArray());
            upsert.Parameters.AddWithValue("d", rows.Select(r => r.Data).ToArray());
            upsert.Parameters.AddWithValue("v", rows.Select(r => r.Vectors).ToArray());
            upsert.Parameters.AddWithValue("t", rows.Select(r => r.Text).ToArray());
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return await BumpAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
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
            : serviceType == typeof(VectorStoreCollectionMetadata) ? new VectorStoreCollectionMetadata { VectorStoreSystemName = PostgreSqlVectorTables.SystemName, CollectionName = Name }
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    private async Task<List<VectorSearchResult<TRecord>>> KeywordRankingAsync(string query, Expression<Func<TRecord, bool>>? filter, int wanted, CancellationToken cancellationToken)
    {
        string? match = PostgreSqlVectorTables.TsQuery(query);
        var index = await IndexAsync(cancellationToken).ConfigureAwait(false);
        if (match is null)
        {
            return [];
        }

        Func<TRecord, bool>? predicate = filter?.Compile();

        // Without a filter the first rows are the answer; with one, rows are read until enough pass it.
        return await _database.RunAsync(async (connection, transaction) =>
        {
            await using var command = PostgreSqlDatabase.Command(connection, transaction, """
                SELECT key, ts_rank(search, q) AS score FROM llmkit_vector_records, to_tsquery('simple', @q) AS q
                WHERE collection = @c AND search @@ q
                ORDER BY score DESC, key
                LIMIT @n;
                """);
            command.Parameters.AddWithValue("q", match);
            command.Parameters.AddWithValue("c", Name);
            command.Parameters.AddWithValue("n", predicate is null ? (long)wanted : long.MaxValue);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var results = new List<VectorSearchResult<TRecord>>();
            while (results.Count < wanted && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (index.TryGet((TKey)_codec.ParseKey(reader.GetString(0)), out TRecord record) && (predicate is null || predicate(record)))
                {
                    results.Add(new VectorSearchResult<TRecord>(record, reader.GetFloat(1)));
                }
            }

            return results;
        }, cancellationToken, snapshot: true).ConfigureAwait(false);
    }

    /// <summary>The in-process copy, reloaded when the file's change counter differs from the one it was loaded at.</summary>
    private async Task<VectorRecordIndex<TKey, TRecord>> IndexAsync(CancellationToken cancellationToken)
    {
        var loaded = _loaded;
        var fresh = await _database.RunAsync(async (connection, transaction) =>
        {
            long version = await PostgreSqlVectorTables.VersionAsync(connection, transaction, Name, cancellationToken).ConfigureAwait(false)
                ?? throw new VectorStoreException($"Collection '{Name}' does not exist; call EnsureCollectionExistsAsync first.");
            if (loaded is { } current && current.Version == version)
            {
                return current;
            }

            var index = new VectorRecordIndex<TKey, TRecord>(_model, Name, keywordIndex: false);
            await using var command = PostgreSqlDatabase.Command(connection, transaction, "SELECT key, data::text, vectors FROM llmkit_vector_records WHERE collection = @c;");
            command.Parameters.AddWithValue("c", Name);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var items = new List<(TKey, TRecord, float[]?[])>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                TRecord record = _codec.Read(reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2));
                items.Add((index.KeyOf(record), record, index.ReadVectors(record)));
            }

            index.Upsert(items);
            return (index, version);
        }, cancellationToken, snapshot: true).ConfigureAwait(false);
        _loaded = fresh;
        return fresh.Item1;
    }

    private async Task<long> BumpAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = PostgreSqlDatabase.Command(connection, transaction, "UPDATE llmkit_vector_collections SET version = version + 1 WHERE name = @c RETURNING version;");
        command.Parameters.AddWithValue("c", Name);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?
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
