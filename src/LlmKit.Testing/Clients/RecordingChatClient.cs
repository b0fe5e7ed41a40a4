using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmKit.Testing;

/// <summary>
/// A <see cref="DelegatingChatClient"/> that records every call passing through it (messages, options,
/// streaming or not, the response or the streamed updates, the exception, the start and end times),
/// so a test can assert on what the code under test sent.
/// </summary>
/// <remarks>
/// Wrap the client the code under test talks to, usually a <see cref="ScriptedChatClient"/>, and assert
/// on <see cref="Requests"/> directly or through <see cref="ChatAssert"/>. Calls are recorded when they
/// start; thread-safe for concurrent callers.
/// </remarks>
public sealed class RecordingChatClient : DelegatingChatClient
{
    private readonly Lock _lock = new();
    private readonly List<RecordedChatRequest> _requests = [];
    private readonly TimeProvider _timeProvider;
    private int _sequence;

    /// <summary>Initializes a new instance that records the calls made to <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The client that answers the calls.</param>
    /// <param name="timeProvider">The clock for <see cref="RecordedChatRequest.StartedAt"/> and <see cref="RecordedChatRequest.CompletedAt"/>; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> is <see langword="null"/>.</exception>
    public RecordingChatClient(IChatClient innerClient, TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets a snapshot of the calls recorded so far, in the order they started.</summary>
    public IReadOnlyList<RecordedChatRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Gets the number of calls recorded so far.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _requests.Count;
            }
        }
    }

    /// <summary>Gets the call that started last, or <see langword="null"/> when none was recorded.</summary>
    public RecordedChatRequest? LastRequest
    {
        get
        {
            lock (_lock)
            {
                return _requests.Count == 0 ? null : _requests[^1];
            }
        }
    }

    /// <summary>Forgets every call recorded so far. <see cref="RecordedChatRequest.Sequence"/> keeps counting.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _requests.Clear();
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        RecordedChatRequest record = Record(messages, options, isStreaming: false);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            record.Complete(null, null, ex, _timeProvider.GetUtcNow());
            throw;
        }

        record.Complete(response, null, null, _timeProvider.GetUtcNow());
        return response;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return StreamAsync(messages, options, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RecordedChatRequest record = Record(messages, options, isStreaming: true);
        var updates = new List<ChatResponseUpdate>();
        Exception? failure = null;
        IAsyncEnumerator<ChatResponseUpdate> enumerator;
        try
        {
            enumerator = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex)
        {
            record.Complete(null, [], ex, _timeProvider.GetUtcNow());
            throw;
        }

        try
        {
            while (true)
            {
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex)
                {
                    failure = ex;
                    throw;
                }

                updates.Add(enumerator.Current);
                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            record.Complete(updates.ToChatResponse(), updates, failure, _timeProvider.GetUtcNow());
        }
    }

    private RecordedChatRequest Record(IEnumerable<ChatMessage> messages, ChatOptions? options, bool isStreaming)
    {
        ChatMessage[] snapshot = [.. messages.Select(m => m.Clone())];
        ChatOptions? optionsClone = options?.Clone();
        DateTimeOffset startedAt = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            var record = new RecordedChatRequest(++_sequence, snapshot, optionsClone, isStreaming, startedAt);
            _requests.Add(record);
            return record;
        }
    }
}
