using System.Net;
using System.Text.Json;
using LlmKit.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Gemini.Tests.EndToEnd;

/// <summary>Starts aimock once for the end-to-end tests, with fixtures for the Gemini protocol.</summary>
public sealed class GeminiAimockFixture : IAsyncLifetime
{
    private const string FixtureJson = """
        {
          "fixtures": [
            {
              "match": { "userMessage": "capital of France" },
              "response": { "content": "Paris is the capital of France.", "usage": { "promptTokenCount": 9, "candidatesTokenCount": 7 } }
            },
            {
              "match": { "userMessage": "weather in Paris and Tokyo", "hasToolResult": false },
              "response": {
                "toolCalls": [
                  { "name": "get_weather", "arguments": { "city": "Paris" } },
                  { "name": "get_weather", "arguments": { "city": "Tokyo" } }
                ]
              }
            },
            {
              "match": { "userMessage": "weather in Paris and Tokyo", "hasToolResult": true, "toolResultContains": "17" },
              "response": { "content": "Paris is 21 degrees and Tokyo is 17 degrees." }
            },
            {
              "match": { "userMessage": "are you overloaded" },
              "response": { "error": { "message": "The model is overloaded. Please try again later.", "type": "UNAVAILABLE" }, "status": 503 }
            },
            {
              "match": { "userMessage": "too fast" },
              "response": { "error": { "message": "Resource has been exhausted (e.g. check quota).", "type": "RESOURCE_EXHAUSTED" }, "status": 429, "retryAfter": 9 }
            },
            {
              "match": { "inputText": "embed me" },
              "response": { "embedding": [0.5, -0.25, 0.125] }
            }
          ]
        }
        """;

    public AimockServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AimockServer.StartAsync(new Dictionary<string, string> { ["gemini.json"] = FixtureJson });

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

/// <summary>The full <c>AddLlmKit(kit =&gt; kit.AddGemini(...))</c> pipeline against aimock speaking the Gemini protocol.</summary>
public sealed class GeminiEndToEndTests(GeminiAimockFixture aimock) : IClassFixture<GeminiAimockFixture>, IAsyncLifetime
{
    private static readonly AIFunctionDeclaration GetWeather = AIFunctionFactory.CreateDeclaration(
        "get_weather",
        "Gets the weather for a city.",
        JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement.Clone());

    private ServiceProvider _services = null!;
    private IChatClient _client = null!;

    public Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit
            .AddGemini("gemini", o =>
            {
                o.BaseUrl = aimock.Server.BaseUri;
                o.ApiKey = "aimock-test-key";
                o.DefaultModel = "gemini-2.5-flash";
            })

            // The default pipeline retries overloads after 1 s and 2 s and waits out a Retry-After (9 s here) in real
            // time: retry at once, and let a Retry-After end the call, so the error tests take milliseconds.
            .Configure(o =>
            {
                o.Resilience.RetryBaseDelay = TimeSpan.Zero;
                o.Resilience.MaxRetryAfter = TimeSpan.Zero;
            }));
        _services = services.BuildServiceProvider();
        _client = _services.GetRequiredService<IChatClient>();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task GetResponseAsync_Text_ReturnsTheAnswerWithUsageAndStop()
    {
        var response = await _client.GetResponseAsync("What is the capital of France?", new ChatOptions { ModelId = "gemini-2.5-flash" });

        Assert.Equal("Paris is the capital of France.", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(9, response.Usage!.InputTokenCount);
        Assert.Equal(7, response.Usage.OutputTokenCount);
        Assert.Equal("gemini", Route(response).Provider);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Text_StreamsTheAnswerAndOneUsage()
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in _client.GetStreamingResponseAsync("What is the capital of France?", new ChatOptions { ModelId = "gemini-2.5-flash" }))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        Assert.Equal("Paris is the capital of France.", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        var usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>()).Details;
        Assert.Equal(9, usage.InputTokenCount);
        Assert.Equal(7, usage.OutputTokenCount);
    }

    [Fact]
    public async Task ToolCalls_NonStreamingRoundTrip_CallsAreSentBackAndAnswered()
    {
        var options = new ChatOptions { ModelId = "gemini-2.5-flash", Tools = [GetWeather] };
        List<ChatMessage> conversation = [new(ChatRole.User, "What is the weather in Paris and Tokyo?")];

        var first = await _client.GetResponseAsync(conversation, options);

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var calls = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal("get_weather", c.Name));
        Assert.Equal(["Paris", "Tokyo"], calls.Select(c => ((JsonElement)c.Arguments!["city"]!).GetString()!).ToArray());
        Assert.NotEqual(calls[0].CallId, calls[1].CallId);

        conversation.AddRange(first.Messages);
        conversation.Add(new ChatMessage(ChatRole.Tool, [
            new FunctionResultContent(calls[0].CallId, JsonDocument.Parse("""{"temp":21}""").RootElement.Clone()),
            new FunctionResultContent(calls[1].CallId, JsonDocument.Parse("""{"temp":17}""").RootElement.Clone()),
        ]));
        var second = await _client.GetResponseAsync(conversation, options);

        Assert.Equal("Paris is 21 degrees and Tokyo is 17 degrees.", second.Text);
        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
    }

    [Fact]
    public async Task ToolCalls_Streaming_YieldsBothCallsAndToolCallsFinish()
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in _client.GetStreamingResponseAsync(
            [new ChatMessage(ChatRole.User, "What is the weather in Paris and Tokyo?")],
            new ChatOptions { ModelId = "gemini-2.5-flash", Tools = [GetWeather], ToolMode = ChatToolMode.RequireAny }))
        {
            updates.Add(update);
        }

        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal("Tokyo", ((JsonElement)calls[1].Arguments!["city"]!).GetString());
        Assert.Equal(ChatFinishReason.ToolCalls, updates[^1].FinishReason);
    }

    [Fact]
    public async Task ErrorStatus_503_IsOverloadedProviderException()
    {
        var ex = await Assert.ThrowsAsync<ProviderException>(() => _client.GetResponseAsync("Hey, are you overloaded?", new ChatOptions { ModelId = "gemini-2.5-flash" }));

        Assert.Equal(LlmFailureKind.Overloaded, ex.FailureKind);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal("gcp.gemini", ex.Provider);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task ErrorStatus_429InAStream_IsRateLimitedWithRetryAfter()
    {
        var ex = await Assert.ThrowsAsync<RateLimitedException>(async () =>
        {
            await foreach (var update in _client.GetStreamingResponseAsync("You are going too fast", new ChatOptions { ModelId = "gemini-2.5-flash" }))
            {
            }
        });

        Assert.Equal(TimeSpan.FromSeconds(9), ex.RetryAfter);
        Assert.True(ex.IsRetryable);
        Assert.Equal("RESOURCE_EXHAUSTED", ex.ProviderErrorCode);
    }

    [Fact]
    public async Task Embeddings_EmbedContent_ReturnsTheVector()
    {
        var generator = _services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("gemini");

        var embeddings = await generator.GenerateAsync(["please embed me"]);

        Assert.Equal([0.5f, -0.25f, 0.125f], Assert.Single(embeddings).Vector.ToArray());
    }
}
