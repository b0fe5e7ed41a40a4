using System.Net;
using System.Text.Json;
using LlmKit.OpenAI.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace LlmKit.OpenAI.Tests;

/// <summary>Ollama's native /api/chat, checked against the shapes of Ollama's API documentation.</summary>
public class OllamaChatClientTests
{
    private static (OllamaChatClient Client, FakeHttpHandler Handler) Create()
    {
        var handler = new FakeHttpHandler();
        return (new OllamaChatClient(new OllamaClientOptions { DefaultModel = "llama3.2", KeepAlive = "10m" }, new HttpClient(handler)), handler);
    }

    [Fact]
    public async Task GetResponseAsync_Options_MapToOllamaOptionsObject()
    {
        var (client, handler) = Create();
        handler.RespondFixture("ollama-tools.json");

        await client.GetResponseAsync([new ChatMessage(ChatRole.System, "sys"), new ChatMessage(ChatRole.User, "x")], new ChatOptions
        {
            MaxOutputTokens = 64,
            Temperature = 0.3f,
            TopK = 40,
            Seed = 3,
            StopSequences = ["\n\n"],
            ResponseFormat = ChatResponseFormat.Json,
            Tools = [AIFunctionFactory.Create((string location) => "", "get_current_weather")],
        });

        var request = Assert.Single(handler.Requests);
        Assert.Equal("http://127.0.0.1:11434/api/chat", request.Uri.ToString());
        var body = JsonDocument.Parse(request.Body!).RootElement;
        Assert.Equal("llama3.2", body.GetProperty("model").GetString());
        Assert.False(body.GetProperty("stream").GetBoolean());
        Assert.Equal("10m", body.GetProperty("keep_alive").GetString());
        Assert.Equal("json", body.GetProperty("format").GetString());
        var options = body.GetProperty("options");
        Assert.Equal(64, options.GetProperty("num_predict").GetInt32());
        Assert.Equal(40, options.GetProperty("top_k").GetInt32());
        Assert.Equal(3, options.GetProperty("seed").GetInt32());
        Assert.Equal("\n\n", options.GetProperty("stop")[0].GetString());
        Assert.Equal("get_current_weather", body.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("""[{"role":"system","content":"sys"},{"role":"user","content":"x"}]""", body.GetProperty("messages").GetRawText());
    }

    [Fact]
    public async Task GetResponseAsync_ToolCalls_GetIdsAndGoBackWithToolNames()
    {
        var (client, handler) = Create();
        handler.RespondFixture("ollama-tools.json").RespondFixture("ollama-tools.json");
        var history = new List<ChatMessage> { new(ChatRole.User, "weather?") };

        var first = await client.GetResponseAsync(history);
        var calls = first.Messages[0].Contents.OfType<FunctionCallContent>().ToList();
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(calls[0].CallId, "22C"), new FunctionResultContent(calls[1].CallId, "12:00")]));
        await client.GetResponseAsync(history);

        Assert.Equal(["call_0", "call_1"], calls.Select(c => c.CallId));
        Assert.Equal("Paris, FR", ((JsonElement)calls[0].Arguments!["location"]!).GetString());
        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal(122, first.Usage?.InputTokenCount);
        Assert.Equal(23, first.Usage?.OutputTokenCount);
        var sent = JsonDocument.Parse(handler.Requests[1].Body!).RootElement.GetProperty("messages");
        Assert.Equal("""{"function":{"name":"get_current_weather","arguments":{"format":"celsius","location":"Paris, FR"}}}""", sent[1].GetProperty("tool_calls")[0].GetRawText());
        Assert.Equal("""{"role":"tool","content":"22C","tool_name":"get_current_weather"}""", sent[2].GetRawText());
        Assert.Equal("get_time", sent[3].GetProperty("tool_name").GetString());
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Ndjson_YieldsThinkingTextAndFinalUsage()
    {
        var (client, handler) = Create();
        handler.RespondFixture("ollama-stream.ndjson");

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "why is the sky blue?")]))
        {
            updates.Add(update);
        }

        Assert.True(JsonDocument.Parse(handler.Requests[0].Body!).RootElement.GetProperty("stream").GetBoolean());
        Assert.Equal("The sky is blue.", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal("Thinking briefly.", updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Single().Text);
        var usage = updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details;
        Assert.Equal(26, usage.InputTokenCount);
        Assert.Equal(282, usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ErrorLineMidStream_ThrowsWithOllamasMessage()
    {
        var (client, handler) = Create();
        handler.RespondFixture("ollama-stream-error.ndjson");
        var texts = new List<string>();

        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")]))
            {
                texts.Add(update.Text);
            }
        });

        Assert.Equal(["Start"], texts);
        Assert.Contains("unexpected EOF", ex.Message, StringComparison.Ordinal);
        Assert.Equal("ollama", ex.Provider);
    }

    [Fact]
    public async Task GetResponseAsync_ModelNotPulled_Is404WithOllamasText()
    {
        var (client, handler) = Create();
        handler.Respond(HttpStatusCode.NotFound, """{"error":"model 'llama9' not found"}""");

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]));

        Assert.Equal(LlmFailureKind.NotFound, ex.FailureKind);
        Assert.Contains("model 'llama9' not found", ex.Message, StringComparison.Ordinal);
    }
}
