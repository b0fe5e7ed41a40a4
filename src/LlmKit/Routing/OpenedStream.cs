using System.Globalization;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// A provider stream that has delivered its first update (or ended without any). It owns the cancellation source the
/// provider reads with and a timer that cancels it when the first chunk, or later the next chunk, takes too long.
/// </summary>
internal sealed class OpenedStream : IAsyncDisposable
{
    /// <summary>The Polly operation key that marks a stream attempt (the attempt-timeout strategy leaves those alone).</summary>
    public const string OperationKey = "llmkit.stream";

    private readonly DeploymentResilienceOptions _options;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenSource _cancellation;
    private readonly ITimer _timer;
    private IAsyncEnumerator<ChatResponseUpdate>? _enumerator;
    private volatile bool _timedOut;
    private bool _first = true;

    public OpenedStream(TimeProvider time, DeploymentResilienceOptions options, CancellationToken callerToken)
    {
        _options = options;
        _callerToken = callerToken;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        _timer = time.CreateTimer(static s => ((OpenedStream)s!).OnTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Gets the first update, or <see langword="null"/> when the stream ended without any.</summary>
    public ChatResponseUpdate? First { get; private set; }

    /// <summary>Opens the provider stream and waits for its first update under the first-chunk timeout.</summary>
    public async Task StartAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions options)
    {
        _timer.Change(_options.FirstChunkTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            _enumerator = client.GetStreamingResponseAsync(messages, options, _cancellation.Token).GetAsyncEnumerator(_cancellation.Token);
            First = await _enumerator.MoveNextAsync().ConfigureAwait(false) ? _enumerator.Current : null;
        }
        catch (OperationCanceledException ex) when (_timedOut && !_callerToken.IsCancellationRequested)
        {
            throw TimeoutFailure(_options.FirstChunkTimeout, "its first chunk", ex);
        }
    }

    /// <summary>Reads the next update under the idle timeout; the first call returns <see cref="First"/>.</summary>
    public async ValueTask<ChatResponseUpdate?> NextAsync(string deploymentName, string provider)
    {
        if (_first)
        {
            _first = false;
            return First;
        }

        if (_enumerator is null)
        {
            return null;
        }

        _timer.Change(_options.ChunkIdleTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            return await _enumerator.MoveNextAsync().ConfigureAwait(false) ? _enumerator.Current : null;
        }
        catch (OperationCanceledException ex) when (_timedOut && !_callerToken.IsCancellationRequested)
        {
            throw new ProviderException(
                string.Create(CultureInfo.InvariantCulture, $"The stream from deployment '{deploymentName}' stopped: no chunk arrived for {_options.ChunkIdleTimeout.TotalSeconds:0.###} s. Raise 'Resilience:ChunkIdleTimeout' if the model pauses that long."),
                provider,
                null,
                LlmFailureKind.Timeout,
                innerException: ex);
        }
        finally
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
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

    private void OnTimeout()
    {
        _timedOut = true;
        CancelAttempt();
    }

    private static Polly.Timeout.TimeoutRejectedException TimeoutFailure(TimeSpan timeout, string what, Exception inner)
        => new(string.Create(CultureInfo.InvariantCulture, $"No {what} within {timeout.TotalSeconds:0.###} s."), timeout, inner);
}
