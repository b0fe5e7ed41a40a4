using System.Globalization;
using Microsoft.Extensions.AI;

namespace LlmKit.Benchmarks;

/// <summary>
/// The data set of the store benchmarks: 10,000 conversations of 100 messages (1,000,000 messages), 12 words each
/// drawn uniformly from 20,000 synthetic words (so one word occurs in about 600 messages), 10 tenants, 500 users,
/// 2 of 20 tags each, assistant messages with usage and cost. Deterministic (seed 42).
/// </summary>
internal static class StoreBenchmarkData
{
    public const int Conversations = 10_000;
    public const int MessagesPerConversation = 100;
    public const int VocabularySize = 20_000;

    public static string Word(int index) => "w" + index.ToString("x", CultureInfo.InvariantCulture);

    public static string ConversationId(int index) => "conv-" + index.ToString("D5", CultureInfo.InvariantCulture);

    /// <summary>Creates every conversation through the store's own API, <paramref name="parallelism"/> at a time.</summary>
    public static async Task SeedAsync(IConversationStore store, int parallelism)
    {
        await Parallel.ForAsync(0, Conversations, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (i, cancellationToken) =>
        {
            await store.CreateAsync(Create(i), cancellationToken).ConfigureAwait(false);
            if (i % 1000 == 999)
            {
                Console.WriteLine($"// seeded {i + 1} conversations");
            }
        }).ConfigureAwait(false);
    }

    private static Conversation Create(int i)
    {
        var random = new Random(42 + i);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i * 7);
        var messages = new List<ConversationMessage>(MessagesPerConversation);
        for (int m = 0; m < MessagesPerConversation; m++)
        {
            var words = new string[12];
            for (int w = 0; w < words.Length; w++)
            {
                words[w] = Word(random.Next(VocabularySize));
            }

            bool assistant = m % 2 == 1;
            var chat = new ChatMessage(assistant ? ChatRole.Assistant : ChatRole.User, string.Join(' ', words))
            {
                MessageId = "m" + m.ToString(CultureInfo.InvariantCulture),
                CreatedAt = start.AddSeconds(m * 10),
            };
            messages.Add(assistant
                ? new ConversationMessage { Message = chat, Usage = new UsageDetails { InputTokenCount = 400 + m, OutputTokenCount = 60 }, Cost = new CallCost { Total = 0.0016m }, Model = "gpt-4o" }
                : new ConversationMessage { Message = chat });
        }

        return new Conversation
        {
            Id = ConversationId(i),
            Title = "About " + Word(random.Next(VocabularySize)) + " and " + Word(random.Next(VocabularySize)),
            TenantId = "tenant-" + (i % 10).ToString(CultureInfo.InvariantCulture),
            UserId = "user-" + (i % 500).ToString(CultureInfo.InvariantCulture),
            Tags = ["tag-" + (i % 20).ToString(CultureInfo.InvariantCulture), "tag-" + ((i / 20) % 20).ToString(CultureInfo.InvariantCulture)],
            CreatedAt = start,
            UpdatedAt = start.AddSeconds(MessagesPerConversation * 10),
            Messages = messages,
        };
    }
}
