using LlmKit.Testing;

namespace LlmKit.Stores.Tests.Knowledge;

public sealed class ThirdPartyVectorStoreKnowledgeTests
{
    [Fact]
    public async Task KnowledgeBase_OnAThirdPartyStore_IngestsReplacesFiltersAndSearchesByVector()
    {
        var kb = new KnowledgeBase(new ThirdPartyVectorStore(), new KnowledgeBaseOptions { ChunkTokens = 64, OverlapTokens = 8 }, new DeterministicEmbeddingGenerator(128));
        await kb.IngestAsync(
        [
            KnowledgeDocument.FromText("refunds", "Refunds are paid within thirty days of the request."),
            KnowledgeDocument.FromText("holidays", "Every employee has twenty-five days of paid holiday per year."),
            KnowledgeDocument.FromText("holidays", "Acme staff have thirty days of paid holiday.") with { Tenant = "acme" },
        ]);
        await kb.IngestAsync(KnowledgeDocument.FromText("refunds", "Refunds are paid within ten days of the request."));

        var vector = await kb.SearchAsync("paid holiday per year", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Vector, Top = 5 });
        var hybrid = await kb.SearchAsync("refunds paid", new KnowledgeSearchOptions { Top = 5 });
        var acme = await kb.SearchAsync("paid holiday", new KnowledgeSearchOptions { Tenant = "acme", Top = 5 });

        Assert.Equal("holidays", vector[0].Chunk.DocumentId);
        Assert.Equal(2, vector.Count);
        Assert.Equal("Refunds are paid within ten days of the request.", hybrid[0].Chunk.Text);
        Assert.Equal("Acme staff have thirty days of paid holiday.", Assert.Single(acme).Chunk.Text);
    }

    [Fact]
    public async Task KeywordSearch_OnAStoreWithoutKeywordRanking_FailsNamingTheWayOut()
    {
        var kb = new KnowledgeBase(new ThirdPartyVectorStore());
        await kb.IngestAsync(KnowledgeDocument.FromText("d", "Some text."));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => kb.SearchAsync("text", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Keyword }));

        Assert.Contains("KnowledgeSearchMode.Vector", ex.Message, StringComparison.Ordinal);
        Assert.Contains("IKeywordSearchable", ex.Message, StringComparison.Ordinal);
    }
}
