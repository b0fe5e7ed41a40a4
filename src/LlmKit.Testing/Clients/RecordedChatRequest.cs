using Microsoft.Extensions.AI;

namespace LlmKit.Testing;

/// <summary>
/// One call seen by a <see cref="RecordingChatClient"/>: what was sent, how, and what came back.
/// </summary>
/// <remarks>
/// The record is added to <see cref="RecordingChatClient.Requests"/> when the call starts and is
/// completed when it ends; until then <see cref="CompletedAt"/> is <see langword="null"/>.
/// </remarks>
public sealed class RecordedChatRequest
{
    private readonly Lock _lock = new();
    private ChatResponse? _response;
    private IReadOnlyList<ChatResponseUpdate> _updates = [];
    private Exception? _exception;
    private DateTimeOffset? _completedAt;

    internal RecordedChatRequest(int sequence, IReadOnlyList<ChatMessage> messages, ChatOptions? options, bool isStreaming, DateTimeOffset startedAt)
    {
        Sequence = sequence;
        Messages = messages;
        Options = options;
        IsStreaming = isStreaming;
        StartedAt = startedAt;
    }

    /// <summary>Gets the 1-based number of the call, in the order the calls started.</summary>
    public int Sequence { get; }

    /// <summary>
    /// Gets a snapshot of the messages sent: a copy of the list, holding shallow clones of the messages,
    /// so later changes to the caller's list (such as a tool loop appending to it) do not show here.
    /// </summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Gets a clone of the options sent, or <see langword="null"/> when none were.</summary>
    public ChatOptions? Options { get; }

    /// <summary>Gets the model asked for (<see cref="ChatOptions.ModelId"/>), or <see langword="null"/> when none was.</summary>
    public string? ModelId => Options?.ModelId;

    /// <summary>Gets a value indicating whether the call was a streaming call.</summary>
    public bool IsStreaming { get; }

    /// <summary>Gets when the call started, on the recording client's clock.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>
    /// Gets when the call ended (answered, failed, or its stream was abandoned), on the recording
    /// client's clock, or <see langword="null"/> while it is in flight.
    /// </summary>
    public DateTimeOffset? CompletedAt
    {
        get
        {
            lock (_lock)
            {
                return _completedAt;
            }
        }
    }

    /// <summary>
    /// Gets the response: for a non-streaming call the response returned; for a streaming call the
    /// updates received combined into one response (also when the stream failed or was abandoned part-way).
    /// <see langword="null"/> while in flight, or when a non-streaming call failed or a streaming call failed before it started.
    /// </summary>
    public ChatResponse? Response
    {
        get
        {
            lock (_lock)
            {
                return _response;
            }
        }
    }

    /// <summary>Gets the updates received by a streaming call, in order. Empty for a non-streaming call.</summary>
    public IReadOnlyList<ChatResponseUpdate> Updates
    {
        get
        {
            lock (_lock)
            {
                return _updates;
            }
        }
    }

    /// <summary>Gets the exception the call ended with (including a cancellation), or <see langword="null"/>.</summary>
    public Exception? Exception
    {
        get
        {
            lock (_lock)
            {
                return _exception;
            }
        }
    }

    /// <summary>Gets the text of the last user message sent, or <see langword="null"/> when there was none.</summary>
    public string? LastUserText => Messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text;

    internal void Complete(ChatResponse? response, IReadOnlyList<ChatResponseUpdate>? updates, Exception? exception, DateTimeOffset completedAt)
    {
        lock (_lock)
        {
            _response = response;
            _updates = updates ?? [];
            _exception = exception;
            _completedAt = completedAt;
        }
    }
}
