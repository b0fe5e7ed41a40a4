using LlmKit.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.OpenAI.Tests.Wire;

/// <summary>
/// The repro end to end: a conversation turn streamed from a real <see cref="OpenAIChatClient"/> whose server
/// sends one chunk and closes the connection (no <c>[DONE]</c>) must not store the partial answer as a completed
/// assistant message.
/// </summary>
public class ConversationServiceStreamCutTests
{
    private const string Chunk = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Partial"},"finish_reason":null}]}""";

    [Fact]
    public async Task SendStreamingAsync_StreamCutAfterOneChunk_ThrowsAndStoresOnlyTheUserMessageAsFailed()
    {
        await using var server = RawHttpServer.Start(c => c.WriteAsync(RawHttpServer.Head(200, ("Content-Type", "text/event-stream")) + $"data: {Chunk}\n\n"));
        await using var services = Services(server);
        var store = services.GetRequiredService<IConversationStore>();
        await store.CreateAsync(new Conversation { Id = "c1" });
        var received = new List<string>();

        var error = await Record.ExceptionAsync(async () =>
        {
            await foreach (var update in services.GetRequiredService<IConversationService>().SendStreamingAsync("c1", new ChatMessage(ChatRole.User, "hi")))
            {
                received.Add(update.Text);
            }
        });

        var provider = Assert.IsAssignableFrom<ProviderException>(error);
        Assert.Equal(LlmFailureKind.Network, provider.FailureKind);
        Assert.Equal("Partial", string.Concat(received));
        var stored = (await store.GetAsync("c1"))!;
        var only = Assert.Single(stored.Messages);
        Assert.Equal(ChatRole.User, only.Message.Role);
        Assert.Equal(ConversationMessageStatus.Failed, only.Status);
        Assert.DoesNotContain(stored.Messages, m => m.Message.Role == ChatRole.Assistant);
    }

    [Fact]
    public async Task SendStreamingAsync_StreamEndsWithDone_StoresTheAnswerAsCompleted()
    {
        const string finish = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""";
        await using var server = RawHttpServer.Start(c => c.WriteAsync(RawHttpServer.Head(200, ("Content-Type", "text/event-stream")) + $"data: {Chunk}\n\ndata: {finish}\n\ndata: [DONE]\n\n"));
        await using var services = Services(server);
        var store = services.GetRequiredService<IConversationStore>();
        await store.CreateAsync(new Conversation { Id = "c1" });

        await foreach (var update in services.GetRequiredService<IConversationService>().SendStreamingAsync("c1", new ChatMessage(ChatRole.User, "hi")))
        {
            _ = update;
        }

        var stored = (await store.GetAsync("c1"))!;
        Assert.Equal(2, stored.Messages.Count);
        Assert.Equal("Partial", stored.Messages[1].Message.Text);
        Assert.All(stored.Messages, m => Assert.Equal(ConversationMessageStatus.Completed, m.Status));
    }

    private static ServiceProvider Services(RawHttpServer server)
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit => kit
            .AddProvider("openai", _ => new OpenAIChatClient(new OpenAIConnectionOptions { Profile = OpenAICompatibilityProfile.OpenAI, ApiKey = WireFaults.Canary, DefaultModel = "gpt-4o", BaseUrl = new Uri(server.BaseUri, "v1/") }, new HttpClient()))
            .AddModel("chat", "openai", "gpt-4o")
            .UseDefaultModel("chat"));
        return services.BuildServiceProvider();
    }
}
