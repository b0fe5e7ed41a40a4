using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Runs one turn of a persisted conversation: loads it, applies the system prompt, fits the history into
/// the model's context window with exact token counts (reserving the maximum output), calls the pipeline,
/// and persists the user message and the answer with usage and cost in one atomic append.
/// </summary>
/// <remarks>
/// When the model call fails (or is cancelled) the user message is kept with
/// <see cref="ConversationMessageStatus.Failed"/>, no assistant message is written, and the original
/// exception propagates.
/// </remarks>
public interface IConversationService
{
    /// <summary>Sends a user message in a conversation and returns the persisted turn.</summary>
    /// <param name="conversationId">The conversation id.</param>
    /// <param name="userMessage">The user's message (role <see cref="ChatRole.User"/>); a missing <see cref="ChatMessage.MessageId"/> is generated.</param>
    /// <param name="options">Per-turn options, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the turn.</param>
    /// <returns>The turn: the stored messages, the response and what the fitting did.</returns>
    /// <exception cref="ConversationNotFoundException">The conversation does not exist and <see cref="ConversationSendOptions.CreateIfMissing"/> is not set.</exception>
    /// <exception cref="ContextWindowExceededException">The system messages and the user message alone do not fit the window.</exception>
    /// <exception cref="ConcurrencyConflictException">The conversation changed while the model answered; the user message was kept as failed.</exception>
    Task<ConversationTurn> SendAsync(string conversationId, ChatMessage userMessage, ConversationSendOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends a user message and streams the answer. The turn is persisted after the stream completes; a
    /// stream that fails or is abandoned part-way keeps the user message as failed and writes no partial answer.
    /// </summary>
    /// <param name="conversationId">The conversation id.</param>
    /// <param name="userMessage">The user's message (role <see cref="ChatRole.User"/>).</param>
    /// <param name="options">Per-turn options, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the turn.</param>
    /// <returns>The streamed updates.</returns>
    /// <remarks>
    /// Storing the turn (and extracting facts, when memory is on) happens when the caller asks for the update after the
    /// last one, so a <see cref="ConcurrencyConflictException"/> surfaces at the end of the enumeration.
    /// </remarks>
    /// <exception cref="ConversationNotFoundException">The conversation does not exist and <see cref="ConversationSendOptions.CreateIfMissing"/> is not set.</exception>
    /// <exception cref="ConcurrencyConflictException">The conversation changed while the model answered; the user message was kept as failed.</exception>
    IAsyncEnumerable<ChatResponseUpdate> SendStreamingAsync(string conversationId, ChatMessage userMessage, ConversationSendOptions? options = null, CancellationToken cancellationToken = default);
}
