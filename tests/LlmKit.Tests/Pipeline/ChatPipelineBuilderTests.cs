using LlmKit.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Tests.Pipeline;

public class ChatPipelineBuilderTests
{
    private static readonly IServiceProvider Services = new ServiceCollection().BuildServiceProvider();

    private static Func<IServiceProvider, IChatClient, IChatClient> Stage(string name, List<string> log)
        => (_, inner) => new OrderRecordingStage(inner, name, log);

    [Fact]
    public async Task Build_StagesAddedInOrder_CallsOutermostFirstAndReturnsInReverse()
    {
        var log = new List<string>();
        var builder = new ChatPipelineBuilder().Add("a", Stage("a", log)).Add("b", Stage("b", log)).Add("c", Stage("c", log));

        var client = builder.Build(new StubChatClient(), Services);
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        Assert.Equal(["in:a", "in:b", "in:c", "out:c", "out:b", "out:a"], log);
    }

    [Fact]
    public void AddFirst_InsertBefore_InsertAfter_PlaceStagesWhereAsked()
    {
        var log = new List<string>();
        var builder = new ChatPipelineBuilder()
            .Add("b", Stage("b", log))
            .AddFirst("a", Stage("a", log))
            .Add("d", Stage("d", log))
            .InsertBefore("d", "c", Stage("c", log))
            .InsertAfter("d", "e", Stage("e", log));

        Assert.Equal(["a", "b", "c", "d", "e"], builder.StageNames);
    }

    [Fact]
    public async Task Replace_ExistingStage_KeepsPositionAndUsesNewFactory()
    {
        var log = new List<string>();
        var builder = new ChatPipelineBuilder().Add("a", Stage("a", log)).Add("b", Stage("b", log)).Add("c", Stage("c", log));

        builder.Replace("b", Stage("B2", log));
        await builder.Build(new StubChatClient(), Services).GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        Assert.Equal(["a", "b", "c"], builder.StageNames);
        Assert.Equal(["in:a", "in:B2", "in:c", "out:c", "out:B2", "out:a"], log);
    }

    [Fact]
    public async Task Remove_ExistingStage_TakesItOutOfThePipeline()
    {
        var log = new List<string>();
        var builder = new ChatPipelineBuilder().Add("a", Stage("a", log)).Add("b", Stage("b", log));

        Assert.True(builder.Remove("A"));
        Assert.False(builder.Remove("missing"));
        await builder.Build(new StubChatClient(), Services).GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        Assert.Equal(["in:b", "out:b"], log);
    }

    [Fact]
    public void MoveBefore_ExistingStages_Reorders()
    {
        var log = new List<string>();
        var builder = new ChatPipelineBuilder().Add("a", Stage("a", log)).Add("b", Stage("b", log)).Add("c", Stage("c", log));

        builder.MoveBefore("c", "a");

        Assert.Equal(["c", "a", "b"], builder.StageNames);
    }

    [Fact]
    public void Add_DuplicateName_ThrowsConfigurationExceptionNamingTheStage()
    {
        var builder = new ChatPipelineBuilder().Add("telemetry", (_, c) => c);

        var ex = Assert.Throws<LlmKitConfigurationException>(() => builder.Add("Telemetry", (_, c) => c));

        Assert.Contains("'Telemetry'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Replace", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InsertBefore_UnknownStage_ThrowsListingKnownStages()
    {
        var builder = new ChatPipelineBuilder().Add("a", (_, c) => c).Add("b", (_, c) => c);

        var ex = Assert.Throws<LlmKitConfigurationException>(() => builder.InsertBefore("nope", "x", (_, c) => c));

        Assert.Contains("'nope'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("a, b", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_FactoryReturnsNull_ThrowsNamingTheStage()
    {
        var builder = new ChatPipelineBuilder().Add("broken", (_, _) => null!);

        var ex = Assert.Throws<LlmKitConfigurationException>(() => builder.Build(new StubChatClient(), Services));

        Assert.Contains("'broken'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_Streaming_PassesEveryChunkThroughEveryStage()
    {
        var log = new List<string>();
        var builder = new ChatPipelineBuilder().Add("a", Stage("a", log)).Add("b", Stage("b", log));
        var stub = new StubChatClient { Chunks = ["x", "y"] };

        var texts = new List<string>();
        await foreach (var update in builder.Build(stub, Services).GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
        {
            texts.Add(update.Text);
        }

        Assert.Equal(["x", "y", string.Empty], texts);
        Assert.Equal(
            ["in:a", "in:b", "chunk:b:x", "chunk:a:x", "chunk:b:y", "chunk:a:y", "chunk:b:", "chunk:a:", "out:b", "out:a"],
            log);
    }

    [Fact]
    public void GetService_ThroughEveryStage_ReachesInnerClientAndEachStage()
    {
        var log = new List<string>();
        var stub = new StubChatClient("inner-provider");
        var client = new ChatPipelineBuilder().Add("a", Stage("a", log)).Add("b", Stage("b", log)).Build(stub, Services);

        Assert.Same(stub, client.GetService<StubChatClient>());
        Assert.Equal("inner-provider", client.GetService<ChatClientMetadata>()?.ProviderName);
        Assert.Equal("a", client.GetService<OrderRecordingStage>()?.Name);
        Assert.Null(client.GetService<IServiceProvider>());
    }
}
