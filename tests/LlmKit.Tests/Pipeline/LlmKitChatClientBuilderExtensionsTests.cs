using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Tests.Pipeline;

public sealed class LlmKitChatClientBuilderExtensionsTests
{
    [Fact]
    public async Task UseLlmKit_AppBuiltMeaiPipeline_RunsLlmKitStagesInsideFunctionInvocation()
    {
        var scripted = new ScriptedChatClient()
            .ReturnsToolCall("add", new Dictionary<string, object?> { ["a"] = 2, ["b"] = 3 }, "call-1")
            .ReturnsText("5");
        var provider = new RecordingChatClient(scripted);
        var seen = new List<int>();
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit.Pipeline.Add("probe", (_, inner) => new ProbeChatClient(inner, seen)));
        services.AddChatClient(provider).UseFunctionInvocation().UseLlmKit();
        await using var sp = services.BuildServiceProvider();

        // The app's own MEAI pipeline: FunctionInvokingChatClient, then LlmKit's stages, then the app's client.
        var client = sp.GetRequiredService<IChatClient>();
        var add = AIFunctionFactory.Create((int a, int b) => a + b, "add");
        var response = await client.GetResponseAsync("2 + 3?", new ChatOptions { Tools = [add] });

        Assert.Equal("5", response.Text);
        Assert.Equal(2, seen.Count);
        Assert.NotNull(client.GetService<FunctionInvokingChatClient>());
        Assert.NotNull(client.GetService<TelemetryChatClient>());
        Assert.Null(client.GetService<ModelRouterChatClient>());
        Assert.Contains(provider.LastRequest!.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>(), r => r.CallId == "call-1" && r.Result?.ToString() == "5");
    }

    [Fact]
    public async Task UseLlmKit_WithoutAddLlmKit_ThrowsConfigurationException()
    {
        var services = new ServiceCollection();
        services.AddChatClient(new ScriptedChatClient().ReturnsText("x")).UseLlmKit();
        await using var sp = services.BuildServiceProvider();

        Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IChatClient>());
    }

    [Fact]
    public async Task UseLlmKit_ExplicitPipeline_BuildsThoseStagesOnly()
    {
        var seen = new List<int>();
        var pipeline = new ChatPipelineBuilder().Add("probe", (_, inner) => new ProbeChatClient(inner, seen));
        using var client = new ChatClientBuilder(new ScriptedChatClient().ReturnsText("ok")).UseLlmKit(pipeline).Build();

        Assert.Equal("ok", (await client.GetResponseAsync("hi")).Text);
        Assert.Single(seen);
        Assert.Null(client.GetService<TelemetryChatClient>());
    }

    private sealed class ProbeChatClient(IChatClient inner, List<int> seen) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            seen.Add(messages.Count());
            return base.GetResponseAsync(messages, options, cancellationToken);
        }
    }
}
