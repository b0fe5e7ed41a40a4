using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace LlmKit.Benchmarks;

/// <summary>
/// The per-turn work of the conversation service outside the model call, on a 200-message conversation of about
/// 10,000 tokens: loading it from the in-memory store (fresh copies of every message) and fitting it exactly into a
/// 4,000-token prompt budget with the drop-oldest reducer (o200k_base counts).
/// </summary>
[MemoryDiagnoser]
public class ConversationBenchmarks
{
    private readonly InMemoryConversationStore _store = new();
    private readonly DropOldestGroupsChatReducer _reducer = new(TiktokenTokenizer.O200kBase, 4_000);
    private List<ChatMessage> _messages = null!;

    /// <summary>Stores the conversation.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string filler = string.Join(' ', Enumerable.Repeat("the quick brown fox jumps over the lazy dog", 5));
        _messages = [.. Enumerable.Range(0, 200).Select(i => new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, $"message {i}: {filler}") { MessageId = $"m{i}" })];
        _store.CreateAsync(new Conversation { Id = "c", Messages = [.. _messages.Select(m => new ConversationMessage { Message = m })] }).GetAwaiter().GetResult();
        _messages.Insert(0, new ChatMessage(ChatRole.System, "You are a helpful assistant."));
    }

    /// <summary>Loads the 200 messages.</summary>
    /// <returns>The conversation.</returns>
    [Benchmark(Description = "in-memory store: load 200 messages")]
    public Task<Conversation?> Load() => _store.GetAsync("c");

    /// <summary>Fits the 200 messages into 4,000 tokens.</summary>
    /// <returns>The number of kept messages.</returns>
    [Benchmark(Description = "drop-oldest fit: 200 messages into 4,000 tokens")]
    public async Task<int> Fit() => ((IReadOnlyCollection<ChatMessage>)await _reducer.ReduceAsync(_messages)).Count;
}
