using System.Text.Json;
using LlmKit.Anthropic.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Anthropic.Tests;

/// <summary>
/// The whole path, <c>services.AddLlmKit(kit =&gt; kit.AddAnthropic(...))</c> down to HTTP, against aimock's
/// Anthropic Messages endpoint.
/// </summary>
public sealed class AnthropicEndToEndTests(AimockAnthropicFixture aimock) : IClassFixture<AimockAnthropicFixture>
{
    private static readonly AIFunctionDeclaration Weather = AIFunctionFactory.CreateDeclaration(
        "get_weather",
        "Gets the weather for a city.",
        JsonDocument.Parse("""{"type":"object","properties":{"location":{"type":"string"},"unit":{"type":"string"}},"required":["location"]}""").RootElement);

    [Fact]
    public async Task GetResponseAsync_Text_ThroughPipeline()
    {
        using var services = Build();
        var chat = services.GetRequiredService<IChatClient>();

        var response = await chat.GetResponseAsync("hello");

        Assert.Equal("Hello from aimock, streamed in several chunks!", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("end_turn", response.AdditionalProperties![LlmKitResponseProperties.RawFinishReason]);
        Assert.Equal("anthropic", Route(response).Provider);
        Assert.Equal(11, response.Usage!.InputTokenCount);
        Assert.Equal(9, response.Usage.OutputTokenCount);
        Assert.StartsWith("msg_", response.ResponseId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Text_ChunksAndOneUsage()
    {
        using var services = Build();
        var chat = services.GetRequiredService<IChatClient>();

        var updates = await TestClients.CollectAsync(chat.GetStreamingResponseAsync("hello"));

        Assert.True(updates.Count(u => u.Text.Length > 0) > 1);
        Assert.Equal("Hello from aimock, streamed in several chunks!", string.Concat(updates.Select(u => u.Text)));
        var usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>()).Details;
        Assert.Equal(11, usage.InputTokenCount);
        Assert.Equal(9, usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Fact]
    public async Task GetResponseAsync_ToolCallsThenResults_AnswersFromResults()
    {
        using var services = Build();
        var chat = services.GetRequiredService<IChatClient>();
        var options = new ChatOptions { Tools = [Weather] };
        List<ChatMessage> conversation = [new(ChatRole.User, "What is the weather in Paris and Rome?")];

        var first = await chat.GetResponseAsync(conversation, options);

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var calls = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToArray();
        Assert.Equal(["toolu_e2e_1", "toolu_e2e_2"], calls.Select(c => c.CallId));
        Assert.Equal("Rome", ((JsonElement)calls[1].Arguments!["location"]!).GetString());
        Assert.Equal("celsius", ((JsonElement)calls[1].Arguments!["unit"]!).GetString());

        conversation.AddRange(first.Messages);
        conversation.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("toolu_e2e_1", "18 C, sunny")]));
        conversation.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("toolu_e2e_2", "24 C")]));
        var second = await chat.GetResponseAsync(conversation, options);

        Assert.Equal("It is 18 C and sunny in Paris and 24 C in Rome.", second.Text);
        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ToolCalls_ArgumentsAssembledFromFragments()
    {
        using var services = Build();
        var chat = services.GetRequiredService<IChatClient>();

        var updates = await TestClients.CollectAsync(chat.GetStreamingResponseAsync("weather in Paris and Rome?", new ChatOptions { Tools = [Weather] }));

        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToArray();
        Assert.Equal(2, calls.Length);
        Assert.Equal("Paris", ((JsonElement)calls[0].Arguments!["location"]!).GetString());
        Assert.Equal("celsius", ((JsonElement)calls[1].Arguments!["unit"]!).GetString());
        Assert.Equal(ChatFinishReason.ToolCalls, updates[^1].FinishReason);
        var usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>()).Details;
        Assert.Equal(50, usage.InputTokenCount);
        Assert.Equal(30, usage.OutputTokenCount);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ThinkingWithToolUse_SentBackPassesStrictThinkingChecks()
    {
        // X-AIMock-Strict makes aimock reject (400) a continuation turn whose thinking block or signature was dropped.
        using var services = Build(o =>
        {
            o.Headers["X-AIMock-Strict"] = "true";
            o.ThinkingStyle = AnthropicThinkingStyle.Budgeted;
        });
        var chat = services.GetRequiredService<IChatClient>();
        var options = new ChatOptions { Tools = [Weather], MaxOutputTokens = 4096, Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low } };
        List<ChatMessage> conversation = [new(ChatRole.User, "think about Oslo")];

        var first = (await TestClients.CollectAsync(chat.GetStreamingResponseAsync(conversation, options))).ToChatResponse();

        var reasoning = first.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ToArray();
        Assert.Contains(reasoning, r => r.Text == "The user asks about Oslo; I should call the weather tool." && r.ProtectedData == "sig-e2e-0123456789");
        Assert.Contains(reasoning, r => r.ProtectedData == "opaque-e2e-redacted" && r.AdditionalProperties?[AnthropicPropertyNames.RedactedThinking] is true);

        conversation.AddRange(first.Messages);
        conversation.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("toolu_think", "-3 C")]));
        var second = await chat.GetResponseAsync(conversation, options);

        Assert.Equal("Done thinking: Oslo is cold.", second.Text);
    }

    [Fact]
    public async Task GetResponseAsync_Overloaded529_OverloadedProviderException()
    {
        using var services = Build();
        var chat = services.GetRequiredService<IChatClient>();

        var ex = await Assert.ThrowsAsync<ProviderException>(() => chat.GetResponseAsync("overloaded"));

        Assert.Equal(LlmFailureKind.Overloaded, ex.FailureKind);
        Assert.Equal(529, (int)ex.StatusCode!);
        Assert.Equal("overloaded_error", ex.ProviderErrorCode);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_RateLimited429_RetryAfterFromHeader()
    {
        using var services = Build();
        var chat = services.GetRequiredService<IChatClient>();

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => TestClients.CollectAsync(chat.GetStreamingResponseAsync("slow down")));

        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
        Assert.Equal("rate_limit_error", ex.ProviderErrorCode);
    }

    private ServiceProvider Build(Action<AnthropicClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.AddAnthropic(configure: o =>
        {
            o.ApiKey = "sk-ant-e2e-test-key-000000";
            o.BaseUrl = aimock.Server.BaseUri;
            configure?.Invoke(o);
        }));
        services.Configure<LlmKitOptions>(o =>
        {
            o.DefaultModel = "claude-sonnet-4-5";

            // The default pipeline retries overloads after 1 s and 2 s and waits out a Retry-After (7 s here) in real
            // time: retry at once, and let a Retry-After end the call, so the error tests take milliseconds.
            o.Resilience.RetryBaseDelay = TimeSpan.Zero;
            o.Resilience.MaxRetryAfter = TimeSpan.Zero;
        });
        return services.BuildServiceProvider();
    }
}
