using System.Linq.Expressions;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace LlmKit;

/// <summary>
/// The records of one collection held in memory: exact brute-force similarity with TensorPrimitives (SIMD), filters
/// compiled from the VectorData expressions, and an optional BM25 keyword index over the full-text indexed properties.
/// The in-memory store keeps its records only here; the SQLite store keeps this as its cache of the table.
/// </summary>
internal sealed class VectorRecordIndex<TKey, TRecord>
    where TKey : notnull
    where TRecord : class
{
    private const double Bm25K1 = 1.2;
    private const double Bm25B = 0.75;

    private readonly Dictionary<TKey, Entry> _entries = [];
    private readonly Dictionary<string, int> _documentFrequency = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly string _collectionName;
    private readonly bool _keywordIndex;
    private long _totalTerms;

    public VectorRecordIndex(CollectionModel model, string collectionName, bool keywordIndex)
    {
        Model = model;
        _collectionName = collectionName;
        _keywordIndex = keywordIndex;
        if (model.EmbeddingGenerationRequired)
        {
            throw new NotSupportedException(
                $"Collection '{collectionName}': LlmKit's vector stores keep vectors the caller supplies; embed the records before upserting them " +
                "(a vector property must be ReadOnlyMemory<float>, float[] or Embedding<float>).");
        }
    }

    public CollectionModel Model { get; }

    public int Count
    {
        get
        {
            _lock.Enter();
            try { return _entries.Count; } finally { _lock.Exit(); }
        }
    }

    public TKey KeyOf(TRecord record) => (TKey)Model.KeyProperty.GetValueAsObject(record!)!;

    /// <summary>Reads and checks the vectors of a record before anything is written, so a bad batch writes nothing.</summary>
    public float[]?[] ReadVectors(TRecord record)
    {
        var properties = Model.VectorProperties;
        var vectors = new float[]?[properties.Count];
        for (int i = 0; i < properties.Count; i++)
        {
            float[]? vector = ToArray(properties[i].GetValueAsObject(record!));
            if (vector is not null && properties[i].Dimensions > 0 && vector.Length != properties[i].Dimensions)
            {
                throw new VectorDimensionMismatchException(_collectionName, properties[i].Dimensions, vector.Length);
            }

            vectors[i] = vector;
        }

        return vectors;
    }

    public void Upsert(IReadOnlyList<(TKey Key, TRecord Record, float[]?[] Vectors)> items)
    {
        _lock.Enter();
        try
        {
            foreach (var (key, record, vectors) in items)
            {
                if (_entries.Remove(key, out Entry? old))
                {
                    RemoveTerms(old);
                }

                var entry = new Entry(record, vectors, _keywordIndex ? CountTerms(record) : null);
                AddTerms(entry);
                _entries[key] = entry;
            }
        }
        finally
        {
            _lock.Exit();
        }
    }

    public void Remove(IEnumerable<TKey> keys)
    {
        _lock.Enter();
        try
        {
            foreach (TKey key in keys)
            {
                if (_entries.Remove(key, out Entry? old))
                {
                    RemoveTerms(old);
                }
            }
        }
        finally
        {
            _lock.Exit();
        }
    }

    public void Clear()
    {
        _lock.Enter();
        try
        {
            _entries.Clear();
            _documentFrequency.Clear();
            _totalTerms = 0;
        }
        finally
        {
            _lock.Exit();
        }
    }

    public bool TryGet(TKey key, out TRecord record)
    {
        _lock.Enter();
        try
        {
            if (_entries.TryGetValue(key, out Entry? entry))
            {
                record = entry.Record;
                return true;
            }

            record = default!;
            return false;
        }
        finally
        {
            _lock.Exit();
        }
    }

    public List<TRecord> Query(Expression<Func<TRecord, bool>> filter, int top, int skip, FilteredRecordRetrievalOptions<TRecord>? options)
    {
        Func<TRecord, bool> predicate = filter.Compile();
        List<TRecord> matches;
        _lock.Enter();
        try
        {
            matches = [.. _entries.Values.Select(e => e.Record).Where(predicate)];
        }
        finally
        {
            _lock.Exit();
        }

        IEnumerable<TRecord> ordered = matches;
        if (options?.OrderBy is { } orderBy)
        {
            var sorts = orderBy(new FilteredRecordRetrievalOptions<TRecord>.OrderByDefinition()).Values;
            IOrderedEnumerable<TRecord>? sorted = null;
            foreach (var sort in sorts)
            {
                Func<TRecord, object?> selector = sort.PropertySelector.Compile();
                sorted = sorted is null
                    ? (sort.Ascending ? matches.OrderBy(selector, Comparer<object?>.Default) : matches.OrderByDescending(selector, Comparer<object?>.Default))
                    : (sort.Ascending ? sorted.ThenBy(selector, Comparer<object?>.Default) : sorted.ThenByDescending(selector, Comparer<object?>.Default));
            }

            ordered = sorted ?? ordered;
        }

        return [.. ordered.Skip(skip).Take(top)];
    }

    /// <summary>Exact nearest neighbours by the vector property's distance function, best first.</summary>
    public List<VectorSearchResult<TRecord>> VectorSearch(ReadOnlySpan<float> query, VectorPropertyModel property, Expression<Func<TRecord, bool>>? filter, int top, int skip, double? scoreThreshold)
    {
        if (property.Dimensions > 0 && query.Length != property.Dimensions)
        {
            throw new VectorDimensionMismatchException(_collectionName, property.Dimensions, query.Length);
        }

        int slot = IndexOf(property);
        string distance = property.DistanceFunction ?? DistanceFunction.CosineSimilarity;
        bool lowerIsBetter = distance is DistanceFunction.CosineDistance or DistanceFunction.EuclideanDistance or DistanceFunction.EuclideanSquaredDistance;
        Func<TRecord, bool>? predicate = filter?.Compile();
        int wanted = top + skip;
        var best = new PriorityQueue<Entry, double>(wanted + 1);
        _lock.Enter();
        try
        {
            foreach (Entry entry in _entries.Values)
            {
                float[]? vector = entry.Vectors[slot];
                if (vector is null || vector.Length != query.Length || (predicate is not null && !predicate(entry.Record)))
                {
                    continue;
                }

                double score = distance switch
                {
                    DistanceFunction.CosineSimilarity => TensorPrimitives.CosineSimilarity(query, vector),
                    DistanceFunction.CosineDistance => 1 - TensorPrimitives.CosineSimilarity(query, vector),
                    DistanceFunction.DotProductSimilarity => TensorPrimitives.Dot(query, vector),
                    DistanceFunction.EuclideanDistance => TensorPrimitives.Distance(query, vector),
                    DistanceFunction.EuclideanSquaredDistance => Math.Pow(TensorPrimitives.Distance(query, vector), 2),
                    _ => throw new NotSupportedException($"Distance function '{distance}' is not supported; use CosineSimilarity, CosineDistance, DotProductSimilarity, EuclideanDistance or EuclideanSquaredDistance."),
                };
                if (double.IsNaN(score) || (scoreThreshold is { } threshold && (lowerIsBetter ? score > threshold : score < threshold)))
                {
                    continue;
                }

                // The queue's minimum is the worst kept result, so a better one replaces it.
                double priority = lowerIsBetter ? -score : score;
                if (best.Count < wanted)
                {
                    best.Enqueue(entry with { Score = score }, priority);
                }
                else if (best.TryPeek(out _, out double worst) && priority > worst)
                {
                    best.DequeueEnqueue(entry with { Score = score }, priority);
                }
            }
        }
        finally
        {
            _lock.Exit();
        }

        return Drain(best, skip);
    }

    /// <summary>BM25 (k1 1.2, b 0.75, the same constants as SQLite FTS5) over the full-text indexed properties, best first.</summary>
    public List<VectorSearchResult<TRecord>> KeywordSearch(string query, Expression<Func<TRecord, bool>>? filter, int top, int skip)
    {
        if (!_keywordIndex)
        {
            throw new InvalidOperationException("This index keeps no keyword index.");
        }

        string[] terms = [.. KeywordTokenizer.Tokenize(query).Distinct(StringComparer.Ordinal)];
        Func<TRecord, bool>? predicate = filter?.Compile();
        int wanted = top + skip;
        var best = new PriorityQueue<Entry, double>(wanted + 1);
        _lock.Enter();
        try
        {
            int n = _entries.Count;
            if (n == 0 || terms.Length == 0)
            {
                return [];
            }

            double averageLength = (double)_totalTerms / n;
            var idf = new double[terms.Length];
            for (int t = 0; t < terms.Length; t++)
            {
                int df = _documentFrequency.GetValueOrDefault(terms[t]);
                idf[t] = df == 0 ? 0 : Math.Log(1 + ((n - df + 0.5) / (df + 0.5)));
            }

            foreach (Entry entry in _entries.Values)
            {
                double score = 0;
                var counts = entry.Terms!;
                for (int t = 0; t < terms.Length; t++)
                {
                    if (idf[t] > 0 && counts.Frequencies.TryGetValue(terms[t], out int tf))
                    {
                        score += idf[t] * tf * (Bm25K1 + 1) / (tf + (Bm25K1 * (1 - Bm25B + (Bm25B * counts.Length / averageLength))));
                    }
                }

                if (score <= 0 || (predicate is not null && !predicate(entry.Record)))
                {
                    continue;
                }

                if (best.Count < wanted)
                {
                    best.Enqueue(entry with { Score = score }, score);
                }
                else if (best.TryPeek(out _, out double worst) && score > worst)
                {
                    best.DequeueEnqueue(entry with { Score = score }, score);
                }
            }
        }
        finally
        {
            _lock.Exit();
        }

        return Drain(best, skip);
    }

    private static List<VectorSearchResult<TRecord>> Drain(PriorityQueue<Entry, double> best, int skip)
    {
        var results = new List<VectorSearchResult<TRecord>>(best.Count);
        while (best.TryDequeue(out Entry? entry, out _))
        {
            results.Add(new VectorSearchResult<TRecord>(entry.Record, entry.Score));
        }

        results.Reverse();
        return skip > 0 ? [.. results.Skip(skip)] : results;
    }

    private int IndexOf(VectorPropertyModel property)
    {
        for (int i = 0; i < Model.VectorProperties.Count; i++)
        {
            if (Model.VectorProperties[i].ModelName == property.ModelName)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Vector property '{property.ModelName}' is not part of collection '{_collectionName}'.");
    }

    private TermCounts CountTerms(TRecord record)
    {
        var frequencies = new Dictionary<string, int>(StringComparer.Ordinal);
        int length = 0;
        foreach (var property in Model.DataProperties)
        {
            if (property.IsFullTextIndexed && property.GetValueAsObject(record!) is string text)
            {
                foreach (string term in KeywordTokenizer.Tokenize(text))
                {
                    frequencies[term] = frequencies.GetValueOrDefault(term) + 1;
                    length++;
                }
            }
        }

        return new TermCounts(frequencies, length);
    }

    private void AddTerms(Entry entry)
    {
        if (entry.Terms is null)
        {
            return;
        }

        _totalTerms += entry.Terms.Length;
        foreach (string term in entry.Terms.Frequencies.Keys)
        {
            _documentFrequency[term] = _documentFrequency.GetValueOrDefault(term) + 1;
        }
    }

    private void RemoveTerms(Entry entry)
    {
        if (entry.Terms is null)
        {
            return;
        }

        _totalTerms -= entry.Terms.Length;
        foreach (string term in entry.Terms.Frequencies.Keys)
        {
            int left = _documentFrequency[term] - 1;
            if (left == 0)
            {
                _documentFrequency.Remove(term);
            }
            else
            {
                _documentFrequency[term] = left;
            }
        }
    }

    internal static float[]? ToArray(object? value) => value switch
    {
        null => null,
        ReadOnlyMemory<float> memory => memory.ToArray(),
        float[] array => (float[])array.Clone(),
        Embedding<float> embedding => embedding.Vector.ToArray(),
        _ => throw new NotSupportedException($"A vector of type {value.GetType().Name} is not supported; use ReadOnlyMemory<float>, float[] or Embedding<float>."),
    };

    private sealed record Entry(TRecord Record, float[]?[] Vectors, TermCounts? Terms)
    {
        public double Score { get; init; }
    }

    private sealed record TermCounts(Dictionary<string, int> Frequencies, int Length);
}
