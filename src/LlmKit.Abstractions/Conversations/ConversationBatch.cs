using System.Globalization;

namespace LlmKit;

/// <summary>The default of <see cref="IConversationStore.CreateManyAsync"/>: one by one, undone when one fails.</summary>
internal static class ConversationBatch
{
    public static async Task<IReadOnlyList<Conversation>> CreateOneByOneAsync(IConversationStore store, IReadOnlyList<Conversation> conversations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversations);
        var ids = new HashSet<string>(conversations.Count, StringComparer.Ordinal);
        for (int i = 0; i < conversations.Count; i++)
        {
            var conversation = conversations[i] ?? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Conversation {i} of the batch is null."), nameof(conversations));
            if (conversation.Id is not null && !ids.Add(conversation.Id))
            {
                throw new ArgumentException($"Two conversations of the batch have id '{conversation.Id}'. Give each conversation its own id.", nameof(conversations));
            }
        }

        var created = new List<Conversation>(conversations.Count);
        try
        {
            foreach (var conversation in conversations)
            {
                created.Add(await store.CreateAsync(conversation, cancellationToken).ConfigureAwait(false));
            }

            return created;
        }
        catch (Exception failure) when (created.Count > 0)
        {
            List<Exception>? removalFailures = null;
            List<string>? leftWritten = null;
            foreach (var conversation in created)
            {
                try
                {
                    // Not canceled with the caller's token: the undo must run even when the failure is a cancellation.
                    await store.DeleteAsync(conversation.Id, CancellationToken.None).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Every removal failure is reported below, with the creation failure.
                catch (Exception removal)
#pragma warning restore CA1031
                {
                    (removalFailures ??= []).Add(removal);
                    (leftWritten ??= []).Add(conversation.Id);
                }
            }

            if (removalFailures is null)
            {
                throw;
            }

            removalFailures.Insert(0, failure);
            throw new LlmKitException(
                $"Creating the conversations failed, and {leftWritten!.Count} of those created before the failure could not be removed: '{string.Join("', '", leftWritten)}'. Delete them, then try again. The inner exception holds the creation failure first, then the removal failures.",
                new AggregateException(removalFailures));
        }
    }
}
