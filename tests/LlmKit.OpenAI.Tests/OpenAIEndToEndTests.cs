using System.Net;
using System.Text.Json;
using LlmKit.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.OpenAI.Tests;

/// <summary>Starts aimock once for the class (on 127.0.0.1, installed from npm on first use).</summary>
public sealed class AimockFixture : IAsyncLifetime
{
    public AimockServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AimockServer.StartAsync(new Dictionary<string, string>
    {
        ["llm.json"] = """
        {
          "fixtures": [
            { "match": { "userMessage": "hello e2e" }, "response": { "content": "Hi from the mock server, streamed in pieces." } },
            { "match": { "userMessage": "weather please" }, "response": { "toolCalls": [
                { "name": "get_weather", "arguments": { "city": "Paris" } },
                { "name": "get_time", "arguments": { "zone": "CET" } } ] } },
            { "match": { "userMessage": "overload me" }, "response": { "error": { "message": "Rate limit exceeded. Please retry after 30 seconds.", "type": "rate_limit_error", "code": "rate_limit_exceeded" }, "status": 429 } }
          ]
        }
        """,
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public class OpenAIEndToEndTests(AimockFixture fixture) : IClassFixture<AimockFixture>
{
    private ServiceProvider Build(OpenAICompatibilityProfile profile, string baseSuffix)
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit
            .AddOpenAICompatible(profile, "mock", o =>
            {
                o.BaseUrl = new Uri(fixture.Server.BaseUri, baseSuffix);
                o.ApiKey = "mock-key-12345678";
            })
            .AddModel("smart", "mock", "gpt-4o-mini")
            .UseDefaultModel("smart")

            // The default pipeline retries a 429 after 1 s and 2 s in real time: retry at once, and let a Retry-After
            // end the call, so the error tests take milliseconds.
            .Configure(o =>
            {
                o.Resilience.RetryBaseDelay = TimeSpan.Zero;
                o.Resilience.MaxRetryAfter = TimeSpan.Zero;
            }));
        return services.BuildServiceProvider();
    }

    [Theory]
    [InlineData("OpenAI", "v1/")]
    [InlineData("OllamaOpenAI", "v1/")]
    public async Task GetResponseAsync_ThroughPipeline_ReturnsMockText(string profileName, string suffix)
    {
        using var sp = Build(OpenAICompatibilityProfile.BuiltIn.Single(p => p.Name == profileName), suffix);

        var response = await sp.GetRequiredService<IChatClient>().GetResponseAsync("hello e2e");

        Assert.Equal("Hi from the mock server, streamed in pieces.", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("mock/gpt-4o-mini", Route(response).Deployment.Name);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ThroughPipeline_ReassemblesTextAndUsage()
    {
        using var sp = Build(OpenAICompatibilityProfile.OpenAI, "v1/");

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in sp.GetRequiredService<IChatClient>().GetStreamingResponseAsync("hello e2e"))
        {
            updates.Add(update);
        }

        Assert.True(updates.Count(u => u.Text.Length > 0) > 1);
        Assert.Equal("Hi from the mock server, streamed in pieces.", string.Concat(updates.Select(u => u.Text)));
        var usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>());
        Assert.True(usage.Details.OutputTokenCount > 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ToolCalls_StreamingAndNot_ArriveAsParallelFunctionCalls(bool streaming)
    {
        using var sp = Build(OpenAICompatibilityProfile.OpenAI, "v1/");
        var chat = sp.GetRequiredService<IChatClient>();
        // Declarations only: the pipeline's tool loop has nothing to run and hands the model's calls back as they arrived.
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string city) => "sunny", "get_weather").AsDeclarationOnly(), AIFunctionFactory.Create((string zone) => "12:00", "get_time").AsDeclarationOnly()] };

        ChatResponse response = streaming
            ? await chat.GetStreamingResponseAsync("weather please", options).ToChatResponseAsync()
            : await chat.GetResponseAsync("weather please", options);

        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["get_weather", "get_time"], calls.Select(c => c.Name));
        Assert.Equal("Paris", ((JsonElement)calls[0].Arguments!["city"]!).GetString());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.All(calls, c => Assert.False(string.IsNullOrEmpty(c.CallId)));
    }

    [Fact]
    public async Task ErrorStatus_ThroughPipeline_IsRateLimitedException()
    {
        using var sp = Build(OpenAICompatibilityProfile.OpenAI, "v1/");

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => sp.GetRequiredService<IChatClient>().GetResponseAsync("overload me"));

        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Equal("rate_limit_exceeded", ex.ProviderErrorCode);
        Assert.True(ex.IsRetryable);
    }
}

public class OllamaNativeEndToEndTests(AimockFixture fixture) : IClassFixture<AimockFixture>
{
    private ServiceProvider Build()
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit
            .AddOllama("local", o => o.BaseUrl = fixture.Server.BaseUri)
            .AddModel("small", "local", "llama3.2")
            .UseDefaultModel("small")

            // As above: no real back-off waits in the error tests.
            .Configure(o =>
            {
                o.Resilience.RetryBaseDelay = TimeSpan.Zero;
                o.Resilience.MaxRetryAfter = TimeSpan.Zero;
            }));
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task GetResponseAsync_NativeApi_ReturnsMockText()
    {
        using var sp = Build();

        var response = await sp.GetRequiredService<IChatClient>().GetResponseAsync("hello e2e");

        Assert.Equal("Hi from the mock server, streamed in pieces.", response.Text);
        Assert.Equal("local/llama3.2", Route(response).Deployment.Name);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_NativeNdjson_ReassemblesText()
    {
        using var sp = Build();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in sp.GetRequiredService<IChatClient>().GetStreamingResponseAsync("hello e2e"))
        {
            updates.Add(update);
        }

        Assert.True(updates.Count(u => u.Text.Length > 0) > 1);
        Assert.Equal("Hi from the mock server, streamed in pieces.", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ToolCalls_NativeApi_ArriveWithGeneratedIds(bool streaming)
    {
        using var sp = Build();
        var chat = sp.GetRequiredService<IChatClient>();
        // Declarations only: the pipeline's tool loop has nothing to run and hands the model's calls back as they arrived.
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string city) => "sunny", "get_weather").AsDeclarationOnly(), AIFunctionFactory.Create((string zone) => "12:00", "get_time").AsDeclarationOnly()] };

        ChatResponse response = streaming
            ? await chat.GetStreamingResponseAsync("weather please", options).ToChatResponseAsync()
            : await chat.GetResponseAsync("weather please", options);

        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["get_weather", "get_time"], calls.Select(c => c.Name));
        Assert.Equal(["call_0", "call_1"], calls.Select(c => c.CallId));
        Assert.Equal("CET", ((JsonElement)calls[1].Arguments!["zone"]!).GetString());
    }

    [Fact]
    public async Task ErrorStatus_NativeApi_IsRateLimitedException()
    {
        using var sp = Build();

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => sp.GetRequiredService<IChatClient>().GetResponseAsync("overload me"));

        Assert.Equal("ollama", ex.Provider);
    }
}
