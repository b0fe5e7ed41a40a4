using System.Globalization;
using Microsoft.Extensions.AI;
using Polly.Timeout;

namespace LlmKit;

/// <summary>
/// A provider stream that has delivered its first update (or ended without any). It owns the cancellation source the
/// provider reads with and one timer that cancels it when the first chunk, the next chunk or the whole stream takes too
/// long: the first-chunk and idle deadlines restart with each read, the total deadline runs from the call's start.
/// </summary>
internal sealed class OpenedStream : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly DeploymentResilienceOptions _options;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenSource _cancellation;
    private readonly ITimer _timer;
    private readonly long _started;
    private readonly TimeSpan _total;
    private IAsyncEnumerator<ChatResponseUpdate>? _enumerator;
    private volatile bool _timedOut;
    private bool _dueIsTotal;
    private bool _first = true;
    private int _delivered;

    public OpenedStream(TimeProvider time, DeploymentResilienceOptions options, long started, CancellationToken callerToken)
    {
        _time = time;
        _options = options;
        _started = started;
        _total = options.StreamTotalTimeout ?? options.TotalTimeout;
        _callerToken = callerToken;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        _timer = time.CreateTimer(static s => ((OpenedStream)s!).OnTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Gets the first update, or <see langword="null"/> when the stream ended without any.</summary>
    public ChatResponseUpdate? First { get; private set; }

    /// <summary>Opens the provider stream and waits for its first update under the first-chunk and total deadlines.</summary>
    public async Task StartAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions options)
    {
        Arm(_options.FirstChunkTimeout);
        try
        {
            _enumerator = client.GetStreamingResponseAsync(messages, options, _cancellation.Token).GetAsyncEnumerator(_cancellation.Token);
            First = await _enumerator.MoveNextAsync().ConfigureAwait(false) ? _enumerator.Current : null;
        }
        catch (OperationCanceledException ex) when (_timedOut && !_callerToken.IsCancellationRequested)
        {
            throw _dueIsTotal
                ? new TimeoutRejectedException(string.Create(CultureInfo.InvariantCulture, $"No first chunk within the stream's total time of {_total.TotalSeconds:0.###} s."), _total, ex)
                : new TimeoutRejectedException(string.Create(CultureInfo.InvariantCulture, $"No first chunk within {_options.FirstChunkTimeout.TotalSeconds:0.###} s."), _options.FirstChunkTimeout, ex);
        }
        finally
        {
            Disarm();
        }
    }

    /// <summary>Reads the next update under the idle and total deadlines; the first call returns <see cref="First"/>.</summary>
    public async ValueTask<ChatResponseUpdate?> NextAsync(string deploymentName, string provider)
    {
        if (_first)
        {
            _first = false;
            if (First is not null)
            {
                _delivered++;
            }

            return First;
        }

        if (_enumerator is null)
        {
            return null;
        }

        Arm(_options.ChunkIdleTimeout);
        try
        {
            if (!await _enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                return null;
            }

            _delivered++;
            return _enumerator.Current;
        }
        catch (OperationCanceledException ex) when (_timedOut && !_callerToken.IsCancellationRequested)
        {
            throw new ProviderException(
                _dueIsTotal
                    ? string.Create(CultureInfo.InvariantCulture, $"The stream from deployment '{deploymentName}' was stopped after {_delivered} updates: it ran past its total time of {_total.TotalSeconds:0.###} s. Raise 'Resilience:StreamTotalTimeout' (or 'TotalTimeout') if answers take that long.")
                    : string.Create(CultureInfo.InvariantCulture, $"The stream from deployment '{deploymentName}' stopped after {_delivered} updates: no chunk arrived for {_options.ChunkIdleTimeout.TotalSeconds:0.###} s. Raise 'Resilience:ChunkIdleTimeout' if the model pauses that long."),
                provider,
                null,
                LlmFailureKind.Timeout,
                innerException: ex);
        }
        finally
        {
            Disarm();
        }
    }

    /// <summary>Cancels the attempt (the pipeline's total timeout fired before the first update).</summary>
    public void CancelAttempt()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _timer.Dispose();
        if (_enumerator is not null)
        {
            try
            {
                await _enumerator.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                _enumerator = null;
            }
        }

        _cancellation.Dispose();
    }

    /// <summary>Starts the timer for the next read: the read's own deadline or what is left of the total, whichever ends first.</summary>
    private void Arm(TimeSpan readTimeout)
    {
        var left = _total - _time.GetElapsedTime(_started);
        _dueIsTotal = left <= readTimeout;
        var due = _dueIsTotal ? left : readTimeout;
        if (due <= TimeSpan.Zero)
        {
            OnTimeout();
            return;
        }

        _timer.Change(due < MaxTimer ? due : MaxTimer, Timeout.InfiniteTimeSpan);
    }

    private void Disarm() => _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    private void OnTimeout()
    {
        _timedOut = true;
        CancelAttempt();
    }

    private static readonly TimeSpan MaxTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
}
