using LlmKit.Stores.Tests.Contracts;
using LlmKit.Stores.Tests.PostgreSql;
using LlmKit.Testing;
using Microsoft.Extensions.VectorData;

namespace LlmKit.Stores.Tests.Knowledge;

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlKnowledgeRetrievalTests : KnowledgeRetrievalContractTests
{
    private readonly PostgreSqlServerFixture _server;

    public PostgreSqlKnowledgeRetrievalTests(PostgreSqlServerFixture server)
    {
        _server = server;
    }

    protected override async Task<VectorStore> CreateStoreAsync() => new PostgreSqlVectorStore(await _server.CreateDatabaseAsync());

    [Fact]
    public async Task Store_TwoMachinesOnOneDatabase_SeeEachOthersWrites()
    {
        var dataSource = await _server.CreateDatabaseAsync();
        var first = new KnowledgeBase(new PostgreSqlVectorStore(dataSource), embeddingGenerator: new DeterministicEmbeddingGenerator(64));
        var second = new KnowledgeBase(new PostgreSqlVectorStore(dataSource), embeddingGenerator: new DeterministicEmbeddingGenerator(64));
        await first.IngestAsync(KnowledgeDocument.FromText("a", "Alpha document about refunds."));
        Assert.Single(await second.SearchAsync("refunds"));

        await second.IngestAsync(KnowledgeDocument.FromText("b", "Beta document about refunds."));
        await second.DeleteDocumentAsync("a");

        var seen = await first.SearchAsync("refunds", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Vector });
        Assert.Equal("b", Assert.Single(seen).Chunk.DocumentId);
    }
}
