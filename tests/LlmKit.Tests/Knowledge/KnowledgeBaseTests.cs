using LlmKit;
using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using Xunit;

namespace LlmKit.Tests.Knowledge;

public sealed class KnowledgeBaseTests
{
    private const string Handbook = """
        # Employee handbook

        Intro text about the company.

        ## Refunds

        Refunds are paid within thirty days. Contractors file refunds through their agency.

        ```bash
        curl -X POST https://example.test/refunds --data '{"amount": 12}'
        ```

        ## Holidays

        Every employee has twenty-five days of paid holiday per year.
        """;

    private static KnowledgeBase Create(VectorStore? store = null, IEmbeddingGenerator<string, Embedding<float>>? generator = null, IChatClient? chat = null, int chunkTokens = 64) =>
        new(store ?? new InMemoryVectorStore(), new KnowledgeBaseOptions { ChunkTokens = chunkTokens, OverlapTokens = 8 }, generator, chat);

    [Fact]
    public async Task IngestAsync_Markdown_ChunksKnowTheirSectionAndKeepCodeBlocksWhole()
    {
        var kb = Create();

        var report = await kb.IngestAsync(KnowledgeDocument.FromText("handbook.md", Handbook, KnowledgeDocumentFormat.Markdown));

        Assert.Equal(1, report.Documents);
        var collection = await kb.GetCollectionAsync();
        var chunks = await collection.GetAsync(r => r.DocumentId == "handbook.md", 100).ToListAsync();
        Assert.Equal(report.Chunks, chunks.Count);
        Assert.All(chunks, c => Assert.Equal("Employee handbook", c.Title));
        var refunds = Assert.Single(chunks, c => c.Text.Contains("curl", StringComparison.Ordinal));
        Assert.Equal("Employee handbook > Refunds", refunds.Section);
        Assert.Contains("```bash\ncurl -X POST https://example.test/refunds --data '{\"amount\": 12}'\n```", refunds.Text, StringComparison.Ordinal);
        Assert.Contains(chunks, c => c.Section == "Employee handbook > Holidays" && c.Text.Contains("twenty-five", StringComparison.Ordinal));
        Assert.All(chunks, c => Assert.Equal(c.Text, Handbook.Substring(c.StartOffset, c.Text.Length)));
    }

    [Fact]
    public async Task IngestAsync_UnchangedDocument_CostsNothing_ChangedReplacesAndRemovesOldChunks()
    {
        var embedder = new DeterministicEmbeddingGenerator(64);
        var kb = Create(generator: embedder);
        string v1 = string.Concat(Enumerable.Range(1, 40).Select(i => $"Version one sentence {i}. "));
        await kb.IngestAsync(KnowledgeDocument.FromText("doc", v1));
        int inputsAfterFirst = embedder.Inputs;

        var again = await kb.IngestAsync(KnowledgeDocument.FromText("doc", v1));

        Assert.Equal(1, again.Unchanged);
        Assert.Equal(0, again.Documents);
        Assert.Equal(inputsAfterFirst, embedder.Inputs);

        await kb.IngestAsync(KnowledgeDocument.FromText("doc", "Version two is short."));
        var collection = await kb.GetCollectionAsync();
        var chunks = await collection.GetAsync(r => r.DocumentId == "doc", 1000).ToListAsync();
        var only = Assert.Single(chunks);
        Assert.Equal("Version two is short.", only.Text);

        Assert.Equal(1, await kb.DeleteDocumentAsync("doc"));
        Assert.Empty(await collection.GetAsync(r => r.DocumentId == "doc", 1000).ToListAsync());
    }

    [Fact]
    public async Task IngestAsync_EmbeddingFailsMidway_RerunEmbedsOnlyWhatWasNotStored()
    {
        var embedder = new DeterministicEmbeddingGenerator(64);
        var kb = Create(generator: embedder);
        await kb.GetCollectionAsync();
        var docs = Enumerable.Range(1, 3).Select(i => KnowledgeDocument.FromText($"d{i}", $"Document {i} talks about topic {i}.")).ToList();
        await kb.IngestAsync(docs[0]);
        embedder.FailNextCall = new HttpRequestException("provider down");

        await Assert.ThrowsAsync<HttpRequestException>(() => kb.IngestAsync(docs));
        int before = embedder.Inputs;
        var progress = new List<KnowledgeIngestionProgress>();
        var report = await kb.IngestAsync(docs, new SynchronousProgress(progress));

        Assert.Equal(1, report.Unchanged);
        Assert.Equal(2, report.Documents);
        Assert.Equal(before + 2, embedder.Inputs);
        Assert.Equal(3, progress[^1].DocumentsDone);
        Assert.Equal(3, progress[^1].DocumentsTotal);
    }

    [Fact]
    public async Task IngestAsync_BatchesEmbeddingsBySizeLimit()
    {
        var embedder = new DeterministicEmbeddingGenerator(32);
        var kb = new KnowledgeBase(new InMemoryVectorStore(), new KnowledgeBaseOptions { ChunkTokens = 16, OverlapTokens = 0, EmbeddingBatchSize = 3 }, embedder);
        await kb.GetCollectionAsync();
        int callsBefore = embedder.Calls;

        var report = await kb.IngestAsync(KnowledgeDocument.FromText("d", string.Concat(Enumerable.Range(1, 10).Select(i => $"Short sentence number {i} ends here. "))));

        Assert.Equal(report.Chunks, report.EmbeddedChunks);
        Assert.Equal((report.Chunks + 2) / 3, embedder.Calls - callsBefore);
    }

    [Fact]
    public async Task IngestPathAsync_Folder_SkipsUnknownEmptyAndUnreadableWithReasons()
    {
        string folder = Directory.CreateTempSubdirectory("llmkit-kb-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "a.txt"), "Alpha text about refunds.");
            await File.WriteAllTextAsync(Path.Combine(folder, "b.md"), "# Beta\n\nBeta text.");
            await File.WriteAllTextAsync(Path.Combine(folder, "c.docx"), "not really a docx");
            await File.WriteAllTextAsync(Path.Combine(folder, "empty.txt"), "  \n ");
            await File.WriteAllBytesAsync(Path.Combine(folder, "broken.pdf"), "%PDF-1.4\nthis is not a pdf body"u8.ToArray());
            await File.WriteAllBytesAsync(Path.Combine(folder, "pages.pdf"), TwoPagePdf());
            var kb = Create();

            var report = await kb.IngestPathAsync(folder);

            Assert.Equal(3, report.Documents);
            Assert.Collection(
                report.Skipped.OrderBy(s => s.Source, StringComparer.Ordinal),
                s => { Assert.Equal("broken.pdf", s.Source); Assert.StartsWith("unreadable PDF", s.Reason, StringComparison.Ordinal); },
                s => { Assert.Equal("c.docx", s.Source); Assert.Contains("unknown type '.docx'", s.Reason, StringComparison.Ordinal); },
                s => { Assert.Equal("empty.txt", s.Source); Assert.Equal("empty document", s.Reason); });
            var pages = await (await kb.GetCollectionAsync()).GetAsync(r => r.DocumentId == "pages.pdf", 10).ToListAsync();
            Assert.Contains(pages, c => c.Page == 1 && c.Text.Contains("first page", StringComparison.Ordinal));
            Assert.Contains(pages, c => c.Page == 2 && c.Text.Contains("second page", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task SearchAsync_KeywordMode_WorksWithoutAnyEmbeddingModel()
    {
        var kb = Create();
        await kb.IngestAsync(KnowledgeDocument.FromText("handbook.md", Handbook, KnowledgeDocumentFormat.Markdown));

        var results = await kb.SearchAsync("paid holiday", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Keyword, Top = 1 });
        var hybrid = await kb.SearchAsync("paid holiday", new KnowledgeSearchOptions { Top = 1 });

        Assert.Contains("twenty-five", Assert.Single(results).Chunk.Text, StringComparison.Ordinal);
        Assert.Equal(results[0].Chunk.Key, Assert.Single(hybrid).Chunk.Key);
        await Assert.ThrowsAsync<InvalidOperationException>(() => kb.SearchAsync("x", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Vector }));
    }

    [Fact]
    public async Task SearchAsync_QueryEmbeddingOfOtherDimension_FailsNamingBoth()
    {
        var store = new InMemoryVectorStore();
        var kb = new KnowledgeBase(store, new KnowledgeBaseOptions { Dimensions = 64 }, new DeterministicEmbeddingGenerator(32));

        var ex = await Assert.ThrowsAsync<VectorDimensionMismatchException>(() => kb.SearchAsync("q", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Vector }));

        Assert.Equal(64, ex.ExpectedDimensions);
        Assert.Equal(32, ex.ActualDimensions);
        Assert.Contains("64", ex.Message, StringComparison.Ordinal);
        Assert.Contains("32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchAsync_CollectionEmbeddedByAnotherModel_RefusedUnlessAllowed()
    {
        var store = new InMemoryVectorStore();
        await Create(store, new DeterministicEmbeddingGenerator(64, "model-a")).IngestAsync(KnowledgeDocument.FromText("d", "Refunds are paid within thirty days."));
        var other = Create(store, new DeterministicEmbeddingGenerator(64, "model-b"));

        var ex = await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() => other.SearchAsync("refunds", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Vector }));
        var forced = await other.SearchAsync("refunds", new KnowledgeSearchOptions { Mode = KnowledgeSearchMode.Vector, AllowEmbeddingModelMismatch = true });

        Assert.Equal("model-a", ex.CollectionModel);
        Assert.Equal("model-b", ex.QueryModel);
        Assert.Single(forced);
    }

    [Fact]
    public async Task AskAsync_RendersNumberedSourcesWithinBudgetAndResolvesCitations()
    {
        var chat = new RecordingChatClient(new ScriptedChatClient().ReturnsText("Refunds are paid within thirty days [1]. Holidays: see [2, 7]."));
        var kb = Create(generator: new DeterministicEmbeddingGenerator(64), chat: chat);
        await kb.IngestAsync(KnowledgeDocument.FromText("handbook.md", Handbook, KnowledgeDocumentFormat.Markdown));

        var answer = await kb.AskAsync("How fast are refunds paid?", new KnowledgeAskOptions { SourceTokens = 400 });

        Assert.False(answer.CitesNothing);
        Assert.True(answer.Sources.Count >= 2);
        Assert.Equal([1, 2], answer.Citations.Select(c => c.Index));
        Assert.Same(answer.Sources[0].Chunk, answer.Citations[0].Chunk);
        int used = answer.Sources.Sum(s => kb.Tokenizer.CountTokens($"[{s.Index}] {s.Title}{(s.Section is null ? "" : " > " + s.Section)}\n{s.Text}\n\n"));
        Assert.InRange(used, 1, 400);
        string system = chat.Requests[0].Messages[0].Text;
        Assert.Contains("[1] Employee handbook", system, StringComparison.Ordinal);
        Assert.Contains(answer.Sources[0].Text.Trim(), system, StringComparison.Ordinal);
        Assert.Equal("How fast are refunds paid?", chat.Requests[0].Messages[^1].Text);
    }

    [Fact]
    public async Task AskAsync_AnswerCitingNothing_IsFlagged()
    {
        var chat = new ScriptedChatClient().ReturnsText("I do not know; the documents do not say.");
        var kb = Create(chat: chat);
        await kb.IngestAsync(KnowledgeDocument.FromText("d", "Refunds are paid within thirty days."));

        var answer = await kb.AskAsync("What is the CEO's name?");

        Assert.True(answer.CitesNothing);
        Assert.Empty(answer.Citations);
    }

    [Fact]
    public async Task AskStreamingAsync_StreamsTextThenTheAnswerWithCitations()
    {
        var chat = new ScriptedChatClient().StreamsChunks(["Thirty ", "days [1]."]);
        var kb = Create(chat: chat);
        await kb.IngestAsync(KnowledgeDocument.FromText("d", "Refunds are paid within thirty days."));

        var updates = await kb.AskStreamingAsync("refunds paid?").ToListAsync();

        Assert.Equal(["Thirty ", "days [1]."], updates.Where(u => u.Answer is null).Select(u => u.Text));
        var answer = updates[^1].Answer!;
        Assert.Equal("Thirty days [1].", answer.Text);
        Assert.Equal("d", Assert.Single(answer.Citations).DocumentId);
    }

    [Fact]
    public async Task AskAsync_WithHistory_RetrievesWithRecentTurnsAndKeepsThemInThePrompt()
    {
        var chat = new RecordingChatClient(new ScriptedChatClient().ReturnsText("Through their agency [1]."));
        var kb = Create(chat: chat);
        await kb.IngestAsync(KnowledgeDocument.FromText("refunds", "Contractors file refunds through their agency."));
        await kb.IngestAsync(KnowledgeDocument.FromText("other", "The cafeteria opens at noon."));
        var history = new List<ChatMessage> { new(ChatRole.User, "Tell me about refunds for contractors"), new(ChatRole.Assistant, "Sure.") };

        var answer = await kb.AskAsync("How do they file them?", new KnowledgeAskOptions { History = history, Search = new KnowledgeSearchOptions { Top = 1 } });

        Assert.Equal("refunds", Assert.Single(answer.Citations).DocumentId);
        Assert.Equal(["system", "user", "assistant", "user"], chat.Requests[0].Messages.Select(m => m.Role.Value));
    }

    private static byte[] TwoPagePdf()
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        builder.AddPage(PageSize.A4).AddText("This is the first page.", 12, new UglyToad.PdfPig.Core.PdfPoint(50, 700), font);
        builder.AddPage(PageSize.A4).AddText("This is the second page.", 12, new UglyToad.PdfPig.Core.PdfPoint(50, 700), font);
        return builder.Build();
    }

    private sealed class SynchronousProgress(List<KnowledgeIngestionProgress> seen) : IProgress<KnowledgeIngestionProgress>
    {
        public void Report(KnowledgeIngestionProgress value) => seen.Add(value);
    }
}
