using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmKit.Tests.TestDoubles;

/// <summary>A minimal provider stand-in for the foundation tests: records calls, answers with fixed text or chunks.</summary>
internal sealed class StubChatClient(string providerName = "stub") : IChatClient
{
    public ConcurrentQueue<(List<ChatMessage> Messages, ChatOptions? Options, bool Streaming)> Calls { get; } = new();

    public string Text { get; set; } = "hello";

    public IReadOnlyList<string> Chunks { get; set; } = ["a", "b", "c"];

    public UsageDetails Usage { get; set; } = new() { InputTokenCount = 10, OutputTokenCount = 3, TotalTokenCount = 13 };

    public Exception? Failure { get; set; }

    /// <summary>When set, the stream waits on this before yielding the chunk with this index.</summary>
    public (int Index, TaskCompletionSource Gate)? StreamGate { get; set; }

    public bool Disposed { get; private set; }

    public int ActiveStreams;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue((messages.ToList(), options, false));
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        if (Failure is not null)
        {
            throw Failure;
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, Text))
        {
            ModelId = options?.ModelId + "-2024",
            ResponseId = "resp-1",
            FinishReason = ChatFinishReason.Stop,
            Usage = Usage,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls.Enqueue((messages.ToList(), options, true));
        Interlocked.Increment(ref ActiveStreams);
        try
        {
            for (int i = 0; i < Chunks.Count; i++)
            {
                if (StreamGate is { } gate && gate.Index == i)
                {
                    await gate.Gate.Task.WaitAsync(cancellationToken);
                }

                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                yield return new ChatResponseUpdate(ChatRole.Assistant, Chunks[i]) { ModelId = options?.ModelId + "-2024", ResponseId = "resp-1" };
            }

            if (Failure is not null)
            {
                throw Failure;
            }

            yield return new ChatResponseUpdate { Contents = [new UsageContent(Usage)], FinishReason = ChatFinishReason.Stop };
        }
        finally
        {
            Interlocked.Decrement(ref ActiveStreams);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        if (serviceKey is null && serviceType == typeof(ChatClientMetadata))
        {
            return new ChatClientMetadata(providerName, new Uri("http://127.0.0.1:1/"), "stub-default");
        }

        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose() => Disposed = true;
}
