using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmKit.Tests.TestDoubles;

/// <summary>A pipeline stage that writes its name to a shared log on the way in and on the way out.</summary>
internal sealed class OrderRecordingStage(IChatClient inner, string name, List<string> log) : DelegatingChatClient(inner)
{
    public string Name { get; } = name;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        lock (log)
        {
            log.Add("in:" + Name);
        }

        var response = await base.GetResponseAsync(messages, options, cancellationToken);
        lock (log)
        {
            log.Add("out:" + Name);
        }

        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        lock (log)
        {
            log.Add("in:" + Name);
        }

        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            lock (log)
            {
                log.Add($"chunk:{Name}:{update.Text}");
            }

            yield return update;
        }

        lock (log)
        {
            log.Add("out:" + Name);
        }
    }
}
