using System.Linq.Expressions;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace LlmKit;

public sealed partial class KnowledgeBase
{
    private const int MinimumCandidates = 40;

    /// <summary>
    /// Finds the chunks that best match <paramref name="query"/>: hybrid (vector and BM25 rankings fused with reciprocal
    /// rank fusion, k = 60) by default, vector or keyword only on request; only the tenant's documents, filtered by tags
    /// and document ids; optionally diversified with maximal marginal relevance; nothing below the minimum score.
    /// </summary>
    /// <param name="query">The query text.</param>
    /// <param name="options">The options; <see langword="null"/> (the default) for the defaults of <see cref="KnowledgeSearchOptions"/>.</param>
    /// <param name="cancellationToken">A token that cancels the search.</param>
    /// <returns>The chunks, best first; at most <see cref="KnowledgeSearchOptions.Top"/>.</returns>
    /// <exception cref="InvalidOperationException">Vector search without an embedding generator, or keyword search on a collection that cannot rank by keywords.</exception>
    /// <exception cref="VectorDimensionMismatchException">The query embedding does not have the collection's dimensions.</exception>
    /// <exception cref="EmbeddingModelMismatchException">The collection was embedded by another model, and the search does not allow it.</exception>
    public async Task<IReadOnlyList<KnowledgeSearchResult>> SearchAsync(string query, KnowledgeSearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        options ??= new KnowledgeSearchOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Top, 1, nameof(options.Top));
        if (options.MmrLambda is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MmrLambda, "MmrLambda must be between 0 and 1.");
        }

        var collection = await GetCollectionAsync(cancellationToken).ConfigureAwait(false);
        Expression<Func<KnowledgeChunkRecord, bool>> filter = BuildFilter(options);
        int candidates = options.MmrLambda is null && options.Mode != KnowledgeSearchMode.Hybrid ? options.Top : Math.Max(options.Top * 4, MinimumCandidates);
        KnowledgeSearchMode mode = options.Mode == KnowledgeSearchMode.Hybrid && _embeddingGenerator is null ? KnowledgeSearchMode.Keyword : options.Mode;

        List<KnowledgeSearchResult> ranked;
        switch (mode)
        {
            case KnowledgeSearchMode.Vector:
                ranked = await VectorRankingAsync(collection, await EmbedQueryAsync(query, cancellationToken).ConfigureAwait(false), filter, candidates, options, cancellationToken).ConfigureAwait(false);
                break;
            case KnowledgeSearchMode.Keyword:
                ranked = await KeywordRankingAsync(collection, query, filter, candidates, cancellationToken).ConfigureAwait(false);
                break;
            default:
                var byVector = await VectorRankingAsync(collection, await EmbedQueryAsync(query, cancellationToken).ConfigureAwait(false), filter, candidates, options, cancellationToken).ConfigureAwait(false);
                var byKeyword = collection is IKeywordSearchable<KnowledgeChunkRecord>
                    ? await KeywordRankingAsync(collection, query, filter, candidates, cancellationToken).ConfigureAwait(false)
                    : [];
                ranked = [.. ReciprocalRankFusion.Fuse<KnowledgeSearchResult, string>([byVector, byKeyword], r => r.Chunk.Key).Select(f => f.Item with { Score = f.Score })];
                break;
        }

        if (options.MinScore is { } minimum)
        {
            ranked.RemoveAll(r => r.Score < minimum);
        }

        return options.MmrLambda is { } lambda
            ? MaximalMarginalRelevance(ranked, lambda, options.Top)
            : [.. ranked.Take(options.Top)];
    }

    private async Task<ReadOnlyMemory<float>> EmbedQueryAsync(string query, CancellationToken cancellationToken)
    {
        if (_embeddingGenerator is null)
        {
            throw new InvalidOperationException("Vector search needs an embedding generator; pass one to the KnowledgeBase, or search with KnowledgeSearchMode.Keyword.");
        }

        var embeddings = await _embeddingGenerator.GenerateAsync([query], cancellationToken: cancellationToken).ConfigureAwait(false);
        ReadOnlyMemory<float> vector = embeddings.Count == 1
            ? embeddings[0].Vector
            : throw new ProviderResponseFormatException($"The embedding generator returned {embeddings.Count} embeddings for one query.");
        return vector.Length == _dimensions ? vector : throw new VectorDimensionMismatchException(_options.CollectionName, _dimensions, vector.Length);
    }

    private async Task<List<KnowledgeSearchResult>> VectorRankingAsync(VectorStoreCollection<string, KnowledgeChunkRecord> collection, ReadOnlyMemory<float> vector, Expression<Func<KnowledgeChunkRecord, bool>> filter, int top, KnowledgeSearchOptions options, CancellationToken cancellationToken)
    {
        var results = new List<KnowledgeSearchResult>();
        var search = new VectorSearchOptions<KnowledgeChunkRecord> { Filter = filter, IncludeVectors = options.MmrLambda is not null };
        await foreach (var result in collection.SearchAsync(vector, top, search, cancellationToken).ConfigureAwait(false))
        {
            if (!options.AllowEmbeddingModelMismatch && result.Record.EmbeddingModel is { } model && model != EmbeddingModelId)
            {
                throw new EmbeddingModelMismatchException(model, EmbeddingModelId!);
            }

            results.Add(new KnowledgeSearchResult(result.Record, result.Score ?? 0));
        }

        return results;
    }

    private static async Task<List<KnowledgeSearchResult>> KeywordRankingAsync(VectorStoreCollection<string, KnowledgeChunkRecord> collection, string query, Expression<Func<KnowledgeChunkRecord, bool>> filter, int top, CancellationToken cancellationToken)
    {
        if (collection is not IKeywordSearchable<KnowledgeChunkRecord> keywords)
        {
            throw new InvalidOperationException(
                $"Collection '{collection.Name}' ({collection.GetType().Name}) cannot rank by keywords alone; use KnowledgeSearchMode.Vector, or a store that implements IKeywordSearchable (LlmKit's in-memory, SQLite and PostgreSQL stores).");
        }

        var results = new List<KnowledgeSearchResult>();
        await foreach (var result in keywords.KeywordSearchAsync(query, top, new KeywordSearchOptions<KnowledgeChunkRecord> { Filter = filter }, cancellationToken).ConfigureAwait(false))
        {
            results.Add(new KnowledgeSearchResult(result.Record, result.Score ?? 0));
        }

        return results;
    }

    /// <summary>The tenant's documents only (no tenant sees another's), then every tag, then the listed documents.</summary>
    private static Expression<Func<KnowledgeChunkRecord, bool>> BuildFilter(KnowledgeSearchOptions options)
    {
        string? tenant = options.Tenant;
        Expression<Func<KnowledgeChunkRecord, bool>> filter = r => r.Tenant == tenant;
        foreach (string tag in options.Tags)
        {
            filter = And(filter, r => r.Tags.Contains(tag));
        }

        if (options.DocumentIds.Count > 0)
        {
            string[] ids = [.. options.DocumentIds];
            filter = And(filter, r => ids.Contains(r.DocumentId));
        }

        return filter;
    }

    private static Expression<Func<KnowledgeChunkRecord, bool>> And(Expression<Func<KnowledgeChunkRecord, bool>> left, Expression<Func<KnowledgeChunkRecord, bool>> right)
    {
        var body = new ParameterReplacer(right.Parameters[0], left.Parameters[0]).Visit(right.Body);
        return Expression.Lambda<Func<KnowledgeChunkRecord, bool>>(Expression.AndAlso(left.Body, body), left.Parameters);
    }

    /// <summary>
    /// Maximal marginal relevance (Carbonell and Goldstein, 1998): repeatedly picks the candidate maximising
    /// lambda * relevance - (1 - lambda) * its highest similarity to those already picked. Relevance is the candidate's
    /// rank-normalised score; similarity is the cosine of embeddings (0 for chunks without one).
    /// </summary>
    private static List<KnowledgeSearchResult> MaximalMarginalRelevance(List<KnowledgeSearchResult> candidates, double lambda, int top)
    {
        var picked = new List<KnowledgeSearchResult>();
        var left = new List<KnowledgeSearchResult>(candidates);
        double best = candidates.Count == 0 ? 1 : candidates.Max(c => c.Score);
        double worst = candidates.Count == 0 ? 0 : candidates.Min(c => c.Score);
        double span = best - worst;
        while (picked.Count < top && left.Count > 0)
        {
            int choice = 0;
            double choiceValue = double.NegativeInfinity;
            for (int i = 0; i < left.Count; i++)
            {
                double relevance = span > 0 ? (left[i].Score - worst) / span : 1;
                double redundancy = picked.Count == 0 ? 0 : picked.Max(p => Similarity(p.Chunk, left[i].Chunk));
                double value = (lambda * relevance) - ((1 - lambda) * redundancy);
                if (value > choiceValue)
                {
                    choice = i;
                    choiceValue = value;
                }
            }

            picked.Add(left[choice]);
            left.RemoveAt(choice);
        }

        return picked;
    }

    private static double Similarity(KnowledgeChunkRecord a, KnowledgeChunkRecord b) =>
        a.Embedding is { } x && b.Embedding is { } y && x.Length == y.Length && x.Length > 0
            ? TensorPrimitives.CosineSimilarity(x.Span, y.Span)
            : 0;

    private sealed class ParameterReplacer(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
