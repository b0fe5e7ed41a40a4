using LlmKit.Testing;
using Microsoft.Extensions.VectorData;

namespace LlmKit.Stores.Tests.Contracts;

/// <summary>The retrieval suite every LlmKit vector store passes: the knowledge service over it, and the store as a general VectorData store.</summary>
public abstract class KnowledgeRetrievalContractTests
{
    private static readonly KnowledgeDocument[] Corpus =
    [
        KnowledgeDocument.FromText("refunds", "Refunds are paid within thirty days of the request. Contractors file refunds through their agency.") with { Tags = ["finance"] },
        KnowledgeDocument.FromText("holidays", "Every employee has twenty-five days of paid holiday per year. Holidays carry over once.") with { Tags = ["hr"] },
        KnowledgeDocument.FromText("security", "Laptops must use full disk encryption. Report lost laptops to security within one hour.") with { Tags = ["it"] },
        KnowledgeDocument.FromText("cafeteria", "The cafeteria opens at noon and serves vegetarian meals every day.") with { Tags = ["facilities"] },
    ];

    protected abstract Task<VectorStore> CreateStoreAsync();

    private async Task<KnowledgeBase> CreateKnowledgeBaseAsync(VectorStore? store = null)
    {
        var kb = new KnowledgeBase(store ?? await CreateStoreAsync(), new KnowledgeBaseOptions { ChunkTokens = 64, OverlapTokens = 8 }, new DeterministicEmbeddingGenerator(128));
        await kb.IngestAsync(Corpus);
        return kb;
    }

    [Theory]
    [InlineData(KnowledgeSearchMode.Hybrid)]
    [InlineData(KnowledgeSearchMode.Vector)]
    [InlineData(KnowledgeSearchMode.Keyword)]
    public async Task SearchAsync_EachMode_FindsTheDocumentThatAnswers(KnowledgeSearchMode mode)
    {
        var kb = await CreateKnowledgeBaseAsync();

        var results = await kb.SearchAsync("how many days of paid holiday", new KnowledgeSearchOptions { Mode = mode, Top = 3 });

        Assert.Equal("holidays", results[0].Chunk.DocumentId);
        Assert.True(results.Zip(results.Skip(1)).All(p => p.First.Score >= p.Second.Score), "best first");
    }

    [Fact]
    public async Task SearchAsync_Hybrid_IsTheReciprocalRankFusionOfVectorAndKeywordRanks()
    {
        var kb = await CreateKnowledgeBaseAsync();
        var vector = await kb.SearchAsync("lost laptops refunds", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Vector, Top = 10 });
        var keyword = await kb.SearchAsync("lost laptops refunds", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Keyword, Top = 10 });

        var hybrid = await kb.SearchAsync("lost laptops refunds", new KnowledgeSearchOptions { Top = 10 });

        // Each hybrid score is 1/(60 + vector rank) + 1/(60 + keyword rank), ranks from 1, absent lists adding nothing.
        foreach (var result in hybrid)
        {
            int v = vector.ToList().FindIndex(r => r.Chunk.Key == result.Chunk.Key);
            int k = keyword.ToList().FindIndex(r => r.Chunk.Key == result.Chunk.Key);
            double expected = (v < 0 ? 0 : 1.0 / (61 + v)) + (k < 0 ? 0 : 1.0 / (61 + k));
            Assert.Equal(expected, result.Score, 12);
        }
    }

    [Fact]
    public async Task SearchAsync_Tenant_NeverSeesAnotherTenantsChunks()
    {
        var store = await CreateStoreAsync();
        var kb = new KnowledgeBase(store, new KnowledgeBaseOptions { ChunkTokens = 64, OverlapTokens = 8 }, new DeterministicEmbeddingGenerator(128));
        await kb.IngestAsync(KnowledgeDocument.FromText("policy", "Acme refunds are paid within ten days.") with { Tenant = "acme" });
        await kb.IngestAsync(KnowledgeDocument.FromText("policy", "Globex refunds are paid within ninety days.") with { Tenant = "globex" });
        await kb.IngestAsync(KnowledgeDocument.FromText("shared", "Refunds policy without a tenant."));

        foreach (KnowledgeSearchMode mode in Enum.GetValues<KnowledgeSearchMode>())
        {
            var acme = await kb.SearchAsync("refunds paid within days", new KnowledgeSearchOptions { Mode = mode, Tenant = "acme", Top = 10 });
            var none = await kb.SearchAsync("refunds paid within days", new KnowledgeSearchOptions { Mode = mode, Top = 10 });

            Assert.Equal("Acme refunds are paid within ten days.", Assert.Single(acme).Chunk.Text);
            Assert.Equal("shared", Assert.Single(none).Chunk.DocumentId);
        }

        // Deleting one tenant's document leaves the other's with the same id.
        Assert.Equal(1, await kb.DeleteDocumentAsync("policy", "acme"));
        Assert.Single(await kb.SearchAsync("refunds", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Keyword, Tenant = "globex" }));
    }

    [Fact]
    public async Task SearchAsync_TagAndDocumentFilters_RestrictResults()
    {
        var kb = await CreateKnowledgeBaseAsync();

        var finance = await kb.SearchAsync("days", new KnowledgeSearchOptions { Tags = ["finance"], Top = 10 });
        var listed = await kb.SearchAsync("days", new KnowledgeSearchOptions { DocumentIds = ["cafeteria", "security"], Top = 10 });

        Assert.All(finance, r => Assert.Equal("refunds", r.Chunk.DocumentId));
        Assert.NotEmpty(finance);
        Assert.All(listed, r => Assert.Contains(r.Chunk.DocumentId, new[] { "cafeteria", "security" }));
        Assert.NotEmpty(listed);
    }

    [Fact]
    public async Task SearchAsync_MinScore_ReturnsNothingBelowIt()
    {
        var kb = await CreateKnowledgeBaseAsync();
        var all = await kb.SearchAsync("paid holiday", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Vector, Top = 10 });
        double cut = (all[0].Score + all[1].Score) / 2;

        var above = await kb.SearchAsync("paid holiday", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Vector, Top = 10, MinScore = cut });

        Assert.Equal(all[0].Chunk.Key, Assert.Single(above).Chunk.Key);
    }

    [Fact]
    public async Task SearchAsync_Mmr_PrefersADifferentDocumentOverANearDuplicate()
    {
        var store = await CreateStoreAsync();
        var kb = new KnowledgeBase(store, new KnowledgeBaseOptions { ChunkTokens = 64, OverlapTokens = 8 }, new DeterministicEmbeddingGenerator(128));
        await kb.IngestAsync(
        [
            KnowledgeDocument.FromText("a", "Refunds are paid within thirty days of the request."),
            KnowledgeDocument.FromText("a-copy", "Refunds are paid within thirty days of the request!"),
            KnowledgeDocument.FromText("b", "Refunds for contractors go through the agency."),
        ]);

        var plain = await kb.SearchAsync("refunds paid within thirty days", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Vector, Top = 2 });
        var diverse = await kb.SearchAsync("refunds paid within thirty days", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Vector, Top = 2, MmrLambda = 0.3 });

        Assert.Equal(["a", "a-copy"], plain.Select(r => r.Chunk.DocumentId).Order());
        Assert.Contains("b", diverse.Select(r => r.Chunk.DocumentId));
    }

    [Fact]
    public async Task IngestAsync_ChangedDocument_ReplacesItsChunks()
    {
        var kb = await CreateKnowledgeBaseAsync();

        await kb.IngestAsync(KnowledgeDocument.FromText("cafeteria", "The cafeteria now opens at eleven.") with { Tags = ["facilities"] });

        var found = await kb.SearchAsync("cafeteria opens", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Keyword, Top = 10 });
        Assert.Equal("The cafeteria now opens at eleven.", Assert.Single(found).Chunk.Text);
    }

    [Fact]
    public async Task Collection_WrongQueryDimension_FailsNamingBoth()
    {
        var kb = await CreateKnowledgeBaseAsync();
        var collection = await kb.GetCollectionAsync();

        var ex = await Assert.ThrowsAsync<VectorDimensionMismatchException>(async () => await collection.SearchAsync(new float[7], 3).ToListAsync());

        Assert.Equal(128, ex.ExpectedDimensions);
        Assert.Equal(7, ex.ActualDimensions);
    }

    [Fact]
    public async Task Store_AnyRecordType_UpsertsGetsSearchesAndDeletes()
    {
        var store = await CreateStoreAsync();
        var collection = store.GetCollection<string, CachedAnswer>("answers");
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(
        [
            new CachedAnswer { Key = "k1", Prompt = "capital of france", Answer = "Paris", Vector = new float[] { 1, 0, 0 } },
            new CachedAnswer { Key = "k2", Prompt = "capital of italy", Answer = "Rome", Vector = new float[] { 0, 1, 0 } },
        ]);

        var nearest = await collection.SearchAsync(new ReadOnlyMemory<float>([0.9f, 0.1f, 0]), 1).SingleAsync();
        var byFilter = await collection.GetAsync(a => a.Answer == "Rome", 10).SingleAsync();
        var keywords = await ((IKeywordSearchable<CachedAnswer>)collection).KeywordSearchAsync("italy", 5).ToListAsync();
        await collection.DeleteAsync("k1");

        Assert.Equal("Paris", nearest.Record.Answer);
        Assert.Equal(0.9 / Math.Sqrt(0.82), nearest.Score!.Value, 5);
        Assert.Equal("k2", byFilter.Key);
        Assert.Equal("k2", Assert.Single(keywords).Record.Key);
        Assert.Null(await collection.GetAsync("k1"));
        Assert.Equal("Rome", (await collection.GetAsync("k2"))!.Answer);
        Assert.Contains("answers", await store.ListCollectionNamesAsync().ToListAsync());
        await collection.EnsureCollectionDeletedAsync();
        Assert.False(await collection.CollectionExistsAsync());
    }

    [Fact]
    public async Task Store_BadRecordInABatch_WritesNothing()
    {
        var store = await CreateStoreAsync();
        var collection = store.GetCollection<string, CachedAnswer>("answers-batch");
        await collection.EnsureCollectionExistsAsync();

        await Assert.ThrowsAsync<VectorDimensionMismatchException>(() => collection.UpsertAsync(
        [
            new CachedAnswer { Key = "ok", Prompt = "p", Answer = "a", Vector = new float[] { 1, 0, 0 } },
            new CachedAnswer { Key = "bad", Prompt = "p", Answer = "a", Vector = new float[] { 1, 0 } },
        ]));

        Assert.Null(await collection.GetAsync("ok"));
    }

    public sealed class CachedAnswer
    {
        [VectorStoreKey]
        public string Key { get; set; } = "";

        [VectorStoreData(IsFullTextIndexed = true)]
        public string Prompt { get; set; } = "";

        [VectorStoreData(IsIndexed = true)]
        public string Answer { get; set; } = "";

        [VectorStoreVector(3)]
        public ReadOnlyMemory<float> Vector { get; set; }
    }
}
