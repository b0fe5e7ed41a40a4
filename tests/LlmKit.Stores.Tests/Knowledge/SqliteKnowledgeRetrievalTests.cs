using LlmKit.Stores.Tests.Contracts;
using LlmKit.Stores.Tests.Sqlite;
using LlmKit.Testing;
using Microsoft.Extensions.VectorData;

namespace LlmKit.Stores.Tests.Knowledge;

public sealed class SqliteKnowledgeRetrievalTests : KnowledgeRetrievalContractTests, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _files;

    public SqliteKnowledgeRetrievalTests(SqliteTestDatabase files)
    {
        _files = files;
    }

    protected override Task<VectorStore> CreateStoreAsync() => Task.FromResult<VectorStore>(new SqliteVectorStore(_files.NewConnectionString()));

    [Fact]
    public async Task Store_ReopenedAndWrittenByAnotherInstance_SeesEveryChange()
    {
        string connectionString = _files.NewConnectionString();
        var first = new KnowledgeBase(new SqliteVectorStore(connectionString), embeddingGenerator: new DeterministicEmbeddingGenerator(64));
        await first.IngestAsync(KnowledgeDocument.FromText("a", "Alpha document about refunds."));
        Assert.Single(await first.SearchAsync("refunds"));

        // Another process (here another instance) writes to the same file; the first sees it on its next search.
        var second = new KnowledgeBase(new SqliteVectorStore(connectionString), embeddingGenerator: new DeterministicEmbeddingGenerator(64));
        await second.IngestAsync(KnowledgeDocument.FromText("b", "Beta document about refunds."));
        Assert.Equal(["a", "b"], (await first.SearchAsync("refunds")).Select(r => r.Chunk.DocumentId).Order());

        await second.DeleteDocumentAsync("a");
        var afterDelete = await first.SearchAsync("refunds");
        Assert.Equal("b", Assert.Single(afterDelete).Chunk.DocumentId);
        Assert.Equal(64, afterDelete[0].Chunk.Embedding!.Value.Length);
    }

    [Fact]
    public async Task EnsureCollectionExists_OtherDimensions_FailsNamingBoth()
    {
        string connectionString = _files.NewConnectionString();
        await new KnowledgeBase(new SqliteVectorStore(connectionString), embeddingGenerator: new DeterministicEmbeddingGenerator(64)).GetCollectionAsync();

        var ex = await Assert.ThrowsAsync<VectorStoreException>(() => new KnowledgeBase(new SqliteVectorStore(connectionString), embeddingGenerator: new DeterministicEmbeddingGenerator(32)).GetCollectionAsync());

        Assert.Contains("[64]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[32]", ex.Message, StringComparison.Ordinal);
    }
}
