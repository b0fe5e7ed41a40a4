using System.Text;
using BenchmarkDotNet.Attributes;
using LlmKit.Testing;

namespace LlmKit.Benchmarks.Knowledge;

/// <summary>
/// Issue 22's speed goals: ingestion throughput without embedding (read, chunk with exact token counts, hash, write to
/// SQLite with FTS5), and a hybrid query over 100,000 chunks in SQLite (vector brute force plus FTS5 BM25, fused).
/// </summary>
[MemoryDiagnoser]
public class KnowledgeBenchmarks
{
    private static readonly string[] Words = "the policy applies to every employee and contractor refunds are paid within thirty days holiday security laptop encryption cafeteria noon agency request report lost hour year carry over travel expenses receipts manager approval budget quarter invoice vendor contract renewal notice period remote work office hours overtime".Split(' ');

    private string _directory = "";
    private KnowledgeBase _queryBase = null!;
    private string _megabyte = "";
    private int _ingestRun;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Directory.CreateTempSubdirectory("llmkit-kb-bench-").FullName;
        _megabyte = Text(new Random(1), 1 << 20);

        // 100,000 chunks of about 60 words each, embedded by the deterministic test embedder (256 dimensions).
        var embedder = new DeterministicEmbeddingGenerator(256);
        _queryBase = new KnowledgeBase(new SqliteVectorStore($"Data Source={Path.Combine(_directory, "query.db")}"), new KnowledgeBaseOptions { ChunkTokens = 96, OverlapTokens = 0 }, embedder);
        var collection = await _queryBase.GetCollectionAsync();
        var random = new Random(2);
        for (int batch = 0; batch < 20; batch++)
        {
            var records = new List<KnowledgeChunkRecord>(5000);
            for (int i = 0; i < 5000; i++)
            {
                string text = Text(random, 360);
                int n = (batch * 5000) + i;
                records.Add(new KnowledgeChunkRecord
                {
                    Key = $"/doc{n / 10}#{n}", DocumentId = $"doc{n / 10}", Source = $"doc{n / 10}", ChunkIndex = n % 10, Text = text,
                    ContentHash = "h", EmbeddingModel = _queryBase.EmbeddingModelId, Embedding = embedder.Embed(text),
                });
            }

            await collection.UpsertAsync(records);
        }

        // Loads the in-process copy once, as a running app has it.
        await _queryBase.SearchAsync("warm up");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Hybrid search, top 5, over 100,000 chunks (the query embedding by the test embedder takes microseconds).</summary>
    [Benchmark]
    public Task<IReadOnlyList<KnowledgeSearchResult>> HybridQuery100kSqlite() =>
        _queryBase.SearchAsync("refunds for contractors within thirty days", new KnowledgeSearchOptions { Top = 5 });

    /// <summary>Ingests 1 MiB of text into SQLite with no embedding model (keyword index); a new document each time.</summary>
    [Benchmark]
    public Task<KnowledgeIngestionReport> Ingest1MiBNoEmbedding()
    {
        var kb = new KnowledgeBase(new SqliteVectorStore($"Data Source={Path.Combine(_directory, "ingest.db")}"));
        return kb.IngestAsync(KnowledgeDocument.FromText($"doc{_ingestRun++}", _megabyte));
    }

    private static string Text(Random random, int length)
    {
        var text = new StringBuilder(length + 32);
        while (text.Length < length)
        {
            text.Append(Words[random.Next(Words.Length)]);
            text.Append(random.Next(12) == 0 ? ". " : " ");
        }

        return text.ToString(0, length);
    }
}
