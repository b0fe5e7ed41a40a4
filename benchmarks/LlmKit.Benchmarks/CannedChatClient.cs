using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmKit.Benchmarks;

/// <summary>
/// The "bare client" of the pipeline benchmarks: answers at once with a fresh response (or a stream of
/// fresh updates) so that both the bare and the pipelined runs pay the same provider-side allocations.
/// </summary>
public sealed class CannedChatClient(int chunks) : IChatClient
{
    private static readonly UsageDetails Usage = new() { InputTokenCount = 12, OutputTokenCount = 100, TotalTokenCount = 112 };
    private static readonly ChatMessage Answer = new(ChatRole.Assistant, "hello");

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => Task.FromResult(new ChatResponse(Answer) { ModelId = "gpt-4o-2024-08-06", FinishReason = ChatFinishReason.Stop, Usage = Usage });

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (int i = 0; i < chunks; i++)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, " word") { ModelId = "gpt-4o-2024-08-06" };
        }

        yield return new ChatResponseUpdate { FinishReason = ChatFinishReason.Stop, Contents = [new UsageContent(Usage)] };
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("openai", null, "gpt-4o") : null;

    public void Dispose()
    {
    }
}
