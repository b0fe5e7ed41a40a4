using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;

namespace LlmKit;

/// <summary>
/// A <see cref="VectorStore"/> that keeps its collections in process memory: exact (brute-force, SIMD) vector search,
/// BM25 keyword search and hybrid search. The default store of LlmKit's knowledge service, and a general store for any
/// record type (the response cache uses it too). Contents are lost when the process ends; use the SQLite store of
/// LlmKit.Sqlite for durable data, or any other VectorData connector.
/// </summary>
public sealed class InMemoryVectorStore : VectorStore
{
    private readonly ConcurrentDictionary<string, object> _indexes = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new InMemoryVectorStoreCollection<TKey, TRecord>(this, name, definition);
    }

    /// <inheritdoc />
    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(definition);
        return new InMemoryVectorStoreCollection<object, Dictionary<string, object?>>(this, name, definition);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (string name in _indexes.Keys.Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
    }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(_indexes.ContainsKey(name));

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
    {
        _indexes.TryRemove(name, out _);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreMetadata) ? new VectorStoreMetadata { VectorStoreSystemName = InMemoryVectorStoreCollection<string, object>.SystemName }
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    internal object GetOrAddIndex(string name, Func<object> create) => _indexes.GetOrAdd(name, _ => create());

    internal object? FindIndex(string name) => _indexes.TryGetValue(name, out object? index) ? index : null;

    internal void RemoveIndex(string name) => _indexes.TryRemove(name, out _);
}
