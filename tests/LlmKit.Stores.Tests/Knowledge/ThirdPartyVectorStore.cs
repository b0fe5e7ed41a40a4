using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;

namespace LlmKit.Stores.Tests.Knowledge;

/// <summary>
/// A VectorData store written the way a third party would, with nothing of LlmKit: records in lists, reflection for
/// keys and vectors, plain loops for cosine similarity, no keyword search. The knowledge service must work on it unchanged.
/// </summary>
public sealed class ThirdPartyVectorStore : VectorStore
{
    private readonly Dictionary<string, object> _collections = [];

    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null)
    {
        lock (_collections)
        {
            if (!_collections.TryGetValue(name, out object? collection))
            {
                collection = new ListCollection<TKey, TRecord>(name, definition ?? throw new NotSupportedException("This store needs a definition."));
                _collections[name] = collection;
            }

            return (VectorStoreCollection<TKey, TRecord>)collection;
        }
    }

    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition) => throw new NotSupportedException();

    public override IAsyncEnumerable<string> ListCollectionNamesAsync(CancellationToken cancellationToken = default) => _collections.Keys.ToAsyncEnumerable();

    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult(_collections.ContainsKey(name));

    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult(_collections.Remove(name));

    public override object? GetService(Type serviceType, object? serviceKey = null) => null;

    private sealed class ListCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition definition) : VectorStoreCollection<TKey, TRecord>
        where TKey : notnull
        where TRecord : class
    {
        private readonly List<TRecord> _records = [];
        private readonly PropertyInfo _key = typeof(TRecord).GetProperty(definition.Properties.OfType<VectorStoreKeyProperty>().Single().Name)!;
        private readonly PropertyInfo _vector = typeof(TRecord).GetProperty(definition.Properties.OfType<VectorStoreVectorProperty>().Single().Name)!;

        public override string Name => name;

        public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);

        public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
        {
            lock (_records) { _records.Clear(); }
            return Task.CompletedTask;
        }

        public override Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
        {
            lock (_records) { return Task.FromResult(_records.FirstOrDefault(r => Equals(_key.GetValue(r), key))); }
        }

        public override IAsyncEnumerable<TRecord> GetAsync(IEnumerable<TKey> keys, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
        {
            var set = keys.ToHashSet();
            lock (_records) { return _records.Where(r => set.Contains((TKey)_key.GetValue(r)!)).ToList().ToAsyncEnumerable(); }
        }

        public override IAsyncEnumerable<TRecord> GetAsync(Expression<Func<TRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<TRecord>? options = null, CancellationToken cancellationToken = default)
        {
            lock (_records) { return _records.Where(filter.Compile()).Take(top).ToList().ToAsyncEnumerable(); }
        }

        public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default) => DeleteAsync([key], cancellationToken);

        public override Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
        {
            var set = keys.ToHashSet();
            lock (_records) { _records.RemoveAll(r => set.Contains((TKey)_key.GetValue(r)!)); }
            return Task.CompletedTask;
        }

        public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default) => UpsertAsync([record], cancellationToken);

        public override async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
        {
            var list = records.ToList();
            await DeleteAsync(list.Select(r => (TKey)_key.GetValue(r)!), cancellationToken);
            lock (_records) { _records.AddRange(list); }
        }

        public override async IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            float[] query = searchValue switch
            {
                ReadOnlyMemory<float> m => m.ToArray(),
                float[] a => a,
                _ => throw new NotSupportedException(),
            };
            Func<TRecord, bool> filter = options?.Filter?.Compile() ?? (_ => true);
            List<VectorSearchResult<TRecord>> scored;
            lock (_records)
            {
                scored = [.. _records.Where(filter)
                    .Select(r => (Record: r, Vector: _vector.GetValue(r) is ReadOnlyMemory<float> v ? v.ToArray() : null))
                    .Where(x => x.Vector is not null)
                    .Select(x => new VectorSearchResult<TRecord>(x.Record, Cosine(query, x.Vector!)))
                    .OrderByDescending(x => x.Score)
                    .Take(top)];
            }

            await Task.Yield();
            foreach (var result in scored)
            {
                yield return result;
            }
        }

        public override object? GetService(Type serviceType, object? serviceKey = null) => null;

        private static double Cosine(float[] a, float[] b)
        {
            double dot = 0, na = 0, nb = 0;
            for (int i = 0; i < a.Length; i++)
            {
                dot += a[i] * b[i];
                na += a[i] * a[i];
                nb += b[i] * b[i];
            }

            return dot / Math.Sqrt(na * nb);
        }
    }
}
