using System.Net;
using System.Text.Json;
using LlmKit.OpenAI.Tests.TestDoubles;

namespace LlmKit.OpenAI.Tests;

public class OpenAIEmbeddingGeneratorTests
{
    [Fact]
    public async Task GenerateAsync_TwoInputs_SendsBatchAndReturnsVectorsInInputOrder()
    {
        var handler = new FakeHttpHandler().Respond(HttpStatusCode.OK, """
            {"object":"list","data":[
              {"object":"embedding","index":1,"embedding":[0.5,-0.25]},
              {"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292]}],
             "model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}
            """);
        using var generator = new OpenAIEmbeddingGenerator(new OpenAIConnectionOptions { ApiKey = "sk-test-0123456789", DefaultModel = "text-embedding-3-small" }, new HttpClient(handler));

        var result = await generator.GenerateAsync(["first", "second"], new Microsoft.Extensions.AI.EmbeddingGenerationOptions { Dimensions = 2 });

        var body = JsonDocument.Parse(handler.Requests[0].Body!).RootElement;
        Assert.Equal("https://api.openai.com/v1/embeddings", handler.Requests[0].Uri.ToString());
        Assert.Equal("""["first","second"]""", body.GetProperty("input").GetRawText());
        Assert.Equal(2, body.GetProperty("dimensions").GetInt32());
        Assert.Equal("float", body.GetProperty("encoding_format").GetString());
        Assert.Equal(2, result.Count);
        Assert.Equal([0.0023064255f, -0.009327292f], result[0].Vector.ToArray());
        Assert.Equal([0.5f, -0.25f], result[1].Vector.ToArray());
        Assert.Equal("text-embedding-3-small", result[0].ModelId);
        Assert.Equal(8, result.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task GenerateAsync_FewerVectorsThanInputs_ThrowsResponseParseException()
    {
        var handler = new FakeHttpHandler().Respond(HttpStatusCode.OK, """{"data":[{"index":0,"embedding":[1]}],"model":"m"}""");
        using var generator = new OpenAIEmbeddingGenerator(new OpenAIConnectionOptions { ApiKey = "sk-test-0123456789", DefaultModel = "m" }, new HttpClient(handler));

        await Assert.ThrowsAsync<ResponseParseException>(() => generator.GenerateAsync(["a", "b"]));
    }
}
