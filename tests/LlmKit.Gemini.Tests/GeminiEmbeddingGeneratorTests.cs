using System.Net;
using System.Text;
using System.Text.Json;
using LlmKit.Gemini.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace LlmKit.Gemini.Tests;

public sealed class GeminiEmbeddingGeneratorTests
{
    private static GeminiEmbeddingGenerator Create(FakeHttpHandler handler) => new(TestClients.Options(), new HttpClient(handler));

    [Fact]
    public async Task GenerateAsync_OneInput_UsesEmbedContentWithOptions()
    {
        var handler = FakeHttpHandler.Fixture("embed-content.json");
        using var generator = Create(handler);

        var result = await generator.GenerateAsync(
            ["What is the meaning of life?"],
            new EmbeddingGenerationOptions { Dimensions = 4, AdditionalProperties = new() { ["taskType"] = "RETRIEVAL_QUERY", ["llmkit.tenant"] = "acme" } });

        var request = handler.LastRequest;
        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:embedContent", request.Uri.AbsoluteUri);
        Assert.Equal(TestClients.ApiKey, request.Headers["x-goog-api-key"]);
        using var json = request.Json();
        var body = json.RootElement;
        Assert.Equal("What is the meaning of life?", body.GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal(4, body.GetProperty("outputDimensionality").GetInt32());
        Assert.Equal("RETRIEVAL_QUERY", body.GetProperty("taskType").GetString());
        Assert.False(body.TryGetProperty("llmkit.tenant", out _));

        var embedding = Assert.Single(result);
        Assert.Equal([0.013168523f, -0.008711934f, -0.046782676f, 0.00069968984f], embedding.Vector.ToArray());
        Assert.Equal("gemini-embedding-001", embedding.ModelId);
    }

    [Fact]
    public async Task GenerateAsync_SeveralInputs_UsesBatchEmbedContentsWithModelPerRequest()
    {
        var handler = FakeHttpHandler.Fixture("batch-embed-contents.json");
        using var generator = Create(handler);

        var result = await generator.GenerateAsync(["first", "second"], new EmbeddingGenerationOptions { ModelId = "text-embedding-004" });

        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:batchEmbedContents", handler.LastRequest.Uri.AbsoluteUri);
        using var json = handler.LastRequest.Json();
        var requests = json.RootElement.GetProperty("requests");
        Assert.Equal(2, requests.GetArrayLength());
        Assert.Equal("models/text-embedding-004", requests[0].GetProperty("model").GetString());
        Assert.Equal("second", requests[1].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal(2, result.Count);
        Assert.Equal([-0.4f, 0.5f, -0.6f], result[1].Vector.ToArray());
    }

    [Fact]
    public async Task GenerateAsync_MoreThanOneBatch_SplitsIntoRequestsOfAtMost100()
    {
        var handler = new FakeHttpHandler(async (request, ct) =>
        {
            using var json = JsonDocument.Parse(await request.Content!.ReadAsByteArrayAsync(ct));
            int n = json.RootElement.GetProperty("requests").GetArrayLength();
            string body = "{\"embeddings\":[" + string.Join(",", Enumerable.Range(0, n).Select(i => $"{{\"values\":[{i}]}}")) + "]}";
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        });
        using var generator = Create(handler);

        var result = await generator.GenerateAsync(Enumerable.Range(0, 150).Select(i => $"text {i}").ToList());

        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(150, result.Count);
        Assert.Equal(99f, result[99].Vector.Span[0]);
        Assert.Equal(49f, result[149].Vector.Span[0]);
    }

    [Fact]
    public async Task GenerateAsync_FewerEmbeddingsThanInputs_ThrowsResponseParseException()
    {
        using var generator = Create(FakeHttpHandler.Bytes("""{"embeddings":[{"values":[1]}]}"""u8.ToArray()));

        await Assert.ThrowsAsync<ResponseParseException>(() => generator.GenerateAsync(["a", "b"]));
    }

    [Fact]
    public async Task GenerateAsync_RateLimited_ThrowsRateLimitedException()
    {
        using var generator = Create(FakeHttpHandler.Fixture("errors/429-per-minute.json", HttpStatusCode.TooManyRequests));

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => generator.GenerateAsync(["a"]));

        Assert.Equal(TimeSpan.FromSeconds(13), ex.RetryAfter);
    }

    [Fact]
    public async Task GenerateAsync_NoInputs_SendsNothing()
    {
        var handler = FakeHttpHandler.Fixture("embed-content.json");
        using var generator = Create(handler);

        var result = await generator.GenerateAsync([]);

        Assert.Empty(result);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public void GetService_Metadata_NamesProviderAndDefaultModel()
    {
        using var generator = Create(FakeHttpHandler.Fixture("embed-content.json"));

        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("gcp.gemini", metadata.ProviderName);
        Assert.Equal("gemini-embedding-001", metadata.DefaultModelId);
        Assert.Same(generator, generator.GetService<GeminiEmbeddingGenerator>());
        Assert.Null(generator.GetService<ChatClientMetadata>());
    }
}
