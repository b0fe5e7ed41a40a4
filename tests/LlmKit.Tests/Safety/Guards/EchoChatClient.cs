using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Safety;

/// <summary>A provider stand-in that answers with the text of the last user message (or a fixed reply), whole or in chunks of a given size, and records what it received.</summary>
internal sealed class EchoChatClient : IChatClient
{
    public List<List<ChatMessage>> Received { get; } = [];

    public string? Reply { get; set; }

    public int ChunkSize { get; set; } = 3;

    public FunctionCallContent? ToolCall { get; set; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        Received.Add(list);
        var message = new ChatMessage(ChatRole.Assistant, Reply ?? list.Last(m => m.Role == ChatRole.User).Text);
        if (ToolCall is not null)
        {
            message.Contents.Add(ToolCall);
        }

        return Task.FromResult(new ChatResponse(message)
        {
            Usage = new UsageDetails { InputTokenCount = 5, OutputTokenCount = 7, TotalTokenCount = 12 },
            ModelId = "echo",
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        Received.Add(list);
        string text = Reply ?? list.Last(m => m.Role == ChatRole.User).Text;
        foreach (var chunk in text.Chunk(ChunkSize))
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, new string(chunk)) { ModelId = "echo" };
        }

        yield return new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = 5, OutputTokenCount = 7, TotalTokenCount = 12 })], FinishReason = ChatFinishReason.Stop };
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("echo", new Uri("http://127.0.0.1:1/"), "echo") : null;

    public void Dispose()
    {
    }
}
