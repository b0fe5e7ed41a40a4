using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace LlmKit;

/// <summary>
/// A collection of an <see cref="InMemoryVectorStore"/>: records held in memory, exact vector search with
/// TensorPrimitives, BM25 keyword search over the full-text indexed string properties
/// (<see cref="IKeywordSearchable{TRecord}"/>), and hybrid search fusing both with reciprocal rank fusion.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TRecord">The record type (attributed with the VectorData attributes, or described by a definition).</typeparam>
/// <remarks>Records are stored by reference: a record changed after it was upserted changes what is stored.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "VectorData names a store's collection type VectorStoreCollection.")]
public sealed class InMemoryVectorStoreCollection<TKey, TRecord> : VectorStoreCollection<TKey, TRecord>, IKeywordSearchable<TRecord>, IKeywordHybridSearchable<TRecord>
    where TKey : notnull
    where TRecord : class
{
    internal const string SystemName = "llmkit.inmemory";

    private readonly InMemoryVectorStore _store;
    private readonly CollectionModel _model;

    /// <summary>Initializes a new collection over its own store; prefer <see cref="InMemoryVectorStore.GetCollection{TKey, TRecord}"/>.</summary>
    /// <param name="name">The collection's name.</param>
    /// <param name="definition">The record definition; <see langword="null"/> (the default) to read the record type's attributes.</param>
    /// <param name="embeddingGenerator">Embeds string search values; <see langword="null"/> (the default) to accept vectors only.</param>
    public InMemoryVectorStoreCollection(string name, VectorStoreCollectionDefinition? definition = null, IEmbeddingGenerator? embeddingGenerator = null)
        : this(new InMemoryVectorStore(), name, definition, embeddingGenerator)
    {
    }

    internal InMemoryVectorStoreCollection(InMemoryVectorStore store, string name, VectorStoreCollectionDefinition? definition, IEmbeddingGenerator? embeddingGenerator = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _store = store;
        Name = name;
        _model = VectorCollectionSupport.BuildModel<TKey, TRecord>(definition, embeddingGenerator ?? definition?.EmbeddingGenerator);
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(_store.FindIndex(Name) is not null);

    /// <inheritdoc />
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        object index = _store.GetOrAddIndex(Name, () => new VectorRecordIndex<TKey, TRecord>(_model, Name, keywordIndex: true));
        if (index is not VectorRecordIndex<TKey, TRecord> existing)
        {
            throw new VectorStoreException($"Collection '{Name}' exists with another key or record type than {typeof(TKey).Name}/{typeof(TRecord).Name}.");
        }

        string have = string.Join(", ", existing.Model.VectorProperties.Select(p => p.Dimensions));
        string want = string.Join(", ", _model.VectorProperties.Select(p => p.Dimensions));
        return have == want
            ? Task.CompletedTask
            : throw new VectorStoreException($"Collection '{Name}' exists with vector dimensions [{have}], but this record definition has [{want}]. Use another collection name, or delete this one first.");
    }

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        _store.RemoveIndex(Name);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Index().TryGet(key, out TRecord record) ? record : null);

    /// <inheritdoc />
    public override async IAsyncEnumerable<TRecord> GetAsync(IEnumerable<TKey> keys, RecordRetrievalOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var index = Index();
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (TKey key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
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
        var records = Index().Query(filter, top, options?.Skip ?? 0, options);
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (TRecord record in records)
        {
            yield return record;
        }
    }

    /// <inheritdoc />
    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default)
    {
        Index().Remove([key]);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Index().Remove(keys);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return UpsertAsync([record], cancellationToken);
    }

    /// <inheritdoc />
    public override Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var index = Index();

        // Every record is checked before any is stored, so a bad batch leaves the collection as it was.
        var items = records.Select(r => (index.KeyOf(r), r, index.ReadVectors(r))).ToList();
        index.Upsert(items);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        VectorCollectionSupport.CheckTop(top);
        var index = Index();
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
        var results = Index().KeywordSearch(query, options?.Filter, top, options?.Skip ?? 0);
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var result in results)
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
        var index = Index();
        VectorPropertyModel property = _model.GetVectorPropertyOrSingle(new VectorSearchOptions<TRecord> { VectorProperty = options?.VectorProperty });
        ReadOnlyMemory<float> vector = await VectorCollectionSupport.ToVectorAsync(searchValue, property, cancellationToken).ConfigureAwait(false);
        int candidates = Math.Max(top + (options?.Skip ?? 0), 20) * 2;
        var byVector = index.VectorSearch(vector.Span, property, options?.Filter, candidates, 0, null);
        var byKeyword = index.KeywordSearch(string.Join(' ', keywords), options?.Filter, candidates, 0);
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
            : serviceType == typeof(VectorStoreCollectionMetadata) ? new VectorStoreCollectionMetadata { VectorStoreSystemName = SystemName, CollectionName = Name }
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    private VectorRecordIndex<TKey, TRecord> Index() => _store.FindIndex(Name) switch
    {
        VectorRecordIndex<TKey, TRecord> index => index,
        null => throw new VectorStoreException($"Collection '{Name}' does not exist; call EnsureCollectionExistsAsync first."),
        _ => throw new VectorStoreException($"Collection '{Name}' exists with another key or record type than {typeof(TKey).Name}/{typeof(TRecord).Name}."),
    };
}
