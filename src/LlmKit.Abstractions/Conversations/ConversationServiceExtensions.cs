using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>Conveniences over <see cref="IConversationService"/>.</summary>
public static class ConversationServiceExtensions
{
    /// <summary>Sends a user's text in a conversation and returns the persisted turn.</summary>
    /// <param name="service">The conversation service.</param>
    /// <param name="conversationId">The conversation id.</param>
    /// <param name="text">The user's text.</param>
    /// <param name="options">Per-turn options, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the turn.</param>
    /// <returns>The turn.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="service"/> or <paramref name="text"/> is <see langword="null"/>.</exception>
    public static Task<ConversationTurn> SendAsync(this IConversationService service, string conversationId, string text, ConversationSendOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(text);
        return service.SendAsync(conversationId, new ChatMessage(ChatRole.User, text), options, cancellationToken);
    }

    /// <summary>Sends a user's text in a conversation and streams the answer; the turn is stored when the stream completes.</summary>
    /// <param name="service">The conversation service.</param>
    /// <param name="conversationId">The conversation id.</param>
    /// <param name="text">The user's text.</param>
    /// <param name="options">Per-turn options, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the turn.</param>
    /// <returns>The streamed updates.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="service"/> or <paramref name="text"/> is <see langword="null"/>.</exception>
    public static IAsyncEnumerable<ChatResponseUpdate> SendStreamingAsync(this IConversationService service, string conversationId, string text, ConversationSendOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(text);
        return service.SendStreamingAsync(conversationId, new ChatMessage(ChatRole.User, text), options, cancellationToken);
    }
}
