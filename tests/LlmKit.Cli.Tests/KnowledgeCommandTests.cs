using System.Text.Json;

namespace LlmKit.Cli.Tests;

public class KnowledgeCommandTests
{
    [Fact]
    public async Task Knowledge_IngestSearchAsk_OfflineWithTheContractsJson()
    {
        string folder = Directory.CreateTempSubdirectory("llmkit-cli-kb-").FullName;
        string db = Path.Combine(folder, "kb.db");
        string docs = Path.Combine(folder, "docs");
        Directory.CreateDirectory(docs);
        await File.WriteAllTextAsync(Path.Combine(docs, "refunds.md"), "# Refunds\n\nRefunds are paid within thirty days.\n\n## Contractors\n\nContractors file refunds through their agency.");
        await File.WriteAllTextAsync(Path.Combine(docs, "cafeteria.txt"), "The cafeteria opens at noon.");
        await File.WriteAllTextAsync(Path.Combine(docs, "notes.docx"), "binary");

        var (ingestCode, ingestOut, _) = await CliRunner.RunAsync(null, null, "knowledge", "ingest", docs, "--db", db, "--json");
        var (againCode, againOut, _) = await CliRunner.RunAsync(null, null, "knowledge", "ingest", docs, "--db", db, "--json");
        var (searchCode, searchOut, _) = await CliRunner.RunAsync(null, null, "knowledge", "search", "contractors agency", "--db", db, "--mode", "keyword", "--top", "1", "--json");
        var (askCode, askOut, _) = await CliRunner.RunAsync(null, null, "knowledge", "ask", "How do contractors file refunds?", "--db", db, "--json");
        var (badCode, _, badErr) = await CliRunner.RunAsync(null, null, "knowledge", "search", "x", "--db", Path.Combine(folder, "missing.db"));

        Assert.Equal(0, ingestCode);
        using (var ingest = JsonDocument.Parse(ingestOut))
        {
            Assert.Equal(2, ingest.RootElement.GetProperty("documents").GetInt32());
            var skipped = Assert.Single(ingest.RootElement.GetProperty("skipped").EnumerateArray());
            Assert.Equal("notes.docx", skipped.GetProperty("path").GetString());
            Assert.Contains("unknown type", skipped.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(0, againCode);
        using (var again = JsonDocument.Parse(againOut))
        {
            Assert.Equal(0, again.RootElement.GetProperty("documents").GetInt32());
            Assert.Equal(2, again.RootElement.GetProperty("unchanged").GetInt32());
        }

        Assert.Equal(0, searchCode);
        using (var search = JsonDocument.Parse(searchOut))
        {
            var hit = Assert.Single(search.RootElement.GetProperty("results").EnumerateArray());
            Assert.Equal("refunds.md", hit.GetProperty("document").GetString());
            Assert.Equal("Refunds", hit.GetProperty("title").GetString());
            Assert.Equal("Refunds > Contractors", hit.GetProperty("section").GetString());
            Assert.Contains("agency", hit.GetProperty("text").GetString(), StringComparison.Ordinal);
            Assert.True(hit.GetProperty("score").GetDouble() > 0);
        }

        Assert.Equal(0, askCode);
        using (var ask = JsonDocument.Parse(askOut))
        {
            Assert.False(string.IsNullOrEmpty(ask.RootElement.GetProperty("text").GetString()));
            Assert.Equal(JsonValueKind.Array, ask.RootElement.GetProperty("citations").ValueKind);
            Assert.True(ask.RootElement.TryGetProperty("usage", out _));
            Assert.True(ask.RootElement.TryGetProperty("cost", out _));
        }

        Assert.Equal(2, badCode);
        Assert.Contains("does not exist", badErr, StringComparison.Ordinal);
        Directory.Delete(folder, recursive: true);
    }
}
