using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Threading.RateLimiting;
using Microsoft.Extensions.AI;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace LlmKit;

/// <summary>
/// The live state of one deployment, shared by every router instance: its resilience pipeline (total timeout, retry with
/// backoff and Retry-After, circuit breaker, attempt timeout; the semantics of the Polly.Core strategies of the same names,
/// run without per-call allocations on the success path), client-side rate limiters, cooldown, calls in flight, moving-average
/// latency and performance counters.
/// </summary>
internal sealed class DeploymentRuntime : IDisposable
{
    internal const string ClientRateLimitCode = "llmkit_client_rate_limit";

    private readonly TimeProvider _time;
    private readonly DeploymentCooldownOptions _cooldown;
    private readonly ConcurrencyLimiter? _concurrency;
    private readonly PerMinuteRateLimiter? _requests;
    private readonly PerMinuteRateLimiter? _tokens;
    private readonly DeploymentCircuitBreaker _breaker;
    private readonly TimeSpan _totalTimeout;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeSpan _retryBaseDelay;
    private readonly TimeSpan _retryMaxDelay;
    private readonly int _maxRetries;
    private readonly Lock _windowLock = new();
    private long _cooldownUntilTicks;
    private string? _cooldownReason;
    private bool _cooldownAfterRateLimit;
    private long _windowStart;
    private readonly StripedCounter _windowCalls = new();
    private int _windowFailures;
    private volatile ModelRoute? _lastRoute;
    // Written by every call from every core; kept on a cache line of their own so that the read-mostly fields above
    // (cooldown, window start, limits, the cached route) are not invalidated on other cores by each call (false sharing).
    private HotFields _hot = new() { AverageLatencyMs = double.NaN };

    public DeploymentRuntime(ModelDeployment deployment, bool enabled, int? maxConcurrency, DeploymentResilienceOptions resilience, DeploymentCooldownOptions cooldown, TimeProvider time)
    {
        Deployment = deployment;
        Enabled = enabled;
        Resilience = resilience;
        _cooldown = cooldown;
        _time = time;
        Counters = new PerformanceCounters(deployment.Name);
        ModelOnlyOptions = new ChatOptions { ModelId = deployment.Model };
        _windowStart = time.GetTimestamp();
        if (maxConcurrency is { } concurrency)
        {
            _concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = concurrency, QueueLimit = 0 });
        }

        if (deployment.RequestsPerMinute is { } rpm)
        {
            _requests = new PerMinuteRateLimiter(rpm, time);
        }

        if (deployment.TokensPerMinute is { } tpm)
        {
            _tokens = new PerMinuteRateLimiter(tpm, time);
        }

        _totalTimeout = resilience.TotalTimeout;
        _attemptTimeout = resilience.AttemptTimeout;
        _retryBaseDelay = resilience.RetryBaseDelay;
        _retryMaxDelay = resilience.RetryMaxDelay;
        _maxRetries = resilience.MaxRetries;
        _breaker = new DeploymentCircuitBreaker(
            resilience.CircuitBreakerFailureRatio,
            resilience.CircuitBreakerMinimumThroughput,
            resilience.CircuitBreakerSamplingDuration,
            resilience.CircuitBreakerBreakDuration,
            time);
    }

    public ModelDeployment Deployment { get; }

    public bool Enabled { get; }

    public DeploymentResilienceOptions Resilience { get; }

    public PerformanceCounters Counters { get; }

    /// <summary>Gets the options sent for calls whose own options name nothing but a model (shared; never changed).</summary>
    public ChatOptions ModelOnlyOptions { get; }

    public int InFlight => Volatile.Read(ref _hot.InFlight);

    public bool HasTokenLimit => _tokens is not null;

    /// <summary>Gets the moving-average latency in milliseconds, or NaN before the first success.</summary>
    public double AverageLatencyMs => Volatile.Read(ref _hot.AverageLatencyMs);

    public CircuitState CircuitState => _breaker.State;

    public DateTimeOffset? CoolingDownUntil
    {
        get
        {
            long until = Volatile.Read(ref _cooldownUntilTicks);
            return until > _time.GetUtcNow().UtcTicks ? new DateTimeOffset(until, TimeSpan.Zero) : null;
        }
    }

    public string? CooldownReason => CoolingDownUntil is null ? null : _cooldownReason;

    /// <summary>Gets a value indicating whether the deployment is cooling down because the provider limited its rate or quota.</summary>
    public bool IsCoolingDownAfterRateLimit => CoolingDownUntil is not null && Volatile.Read(ref _cooldownAfterRateLimit);

    /// <summary>Returns why the deployment cannot take a call now, or <see langword="null"/> when it can.</summary>
    public string? Unavailability()
    {
        if (!Enabled)
        {
            return "disabled in configuration";
        }

        long until = Volatile.Read(ref _cooldownUntilTicks);
        if (until != 0 && until > _time.GetUtcNow().UtcTicks)
        {
            return string.Create(CultureInfo.InvariantCulture, $"cooling down until {new DateTimeOffset(until, TimeSpan.Zero):O} ({_cooldownReason})");
        }

        if (_breaker.State is CircuitState.Open or CircuitState.Isolated)
        {
            return "its circuit breaker is open after repeated failures";
        }

        return null;
    }

    /// <summary>Takes the client-side rate-limit permits for one call, or throws a client-side <see cref="RateLimitedException"/>.</summary>
    public Leases Acquire(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        RateLimitLease? concurrency = null;
        if (_concurrency is not null)
        {
            concurrency = _concurrency.AttemptAcquire();
            if (!concurrency.IsAcquired)
            {
                concurrency.Dispose();
                throw ClientLimit("already has as many calls in flight as its 'MaxConcurrency' allows", null);
            }
        }

        try
        {
            if (_requests is not null && Take(_requests, 1) is { } wait)
            {
                throw ClientLimit(string.Create(CultureInfo.InvariantCulture, $"reached its limit of {Deployment.RequestsPerMinute} requests per minute"), wait);
            }

            if (_tokens is not null)
            {
                int estimate = EstimateTokens(messages, options);
                if (Take(_tokens, estimate) is { } tokenWait)
                {
                    throw ClientLimit(string.Create(CultureInfo.InvariantCulture, $"reached its limit of {Deployment.TokensPerMinute} tokens per minute (this call needs about {estimate})"), tokenWait);
                }
            }
        }
        catch
        {
            concurrency?.Dispose();
            throw;
        }

        Interlocked.Increment(ref _hot.InFlight);
        return new Leases(this, concurrency);
    }

    /// <summary>
    /// Runs a non-streaming call through the resilience pipeline: circuit breaker, one deadline per attempt (the attempt
    /// timeout or the time left of the total timeout, whichever ends first), and retry with backoff only after a failure.
    /// A call that the provider completes at once is checked and handed back without any asynchronous machinery.
    /// </summary>
    /// <returns>The provider's own task when it completed successfully at once; otherwise a task that retries.</returns>
    public Task<ChatResponse> ExecuteAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        if (_breaker.TryEnter() is { } broken)
        {
            throw Translate(broken, Resilience.AttemptTimeout, cancellationToken);
        }

        var attempt = AttemptDeadline.Start(this, started, _attemptTimeout, cancellationToken);
        var task = Invoke(client, messages, options, attempt.Token);
        if (task.IsCompletedSuccessfully)
        {
            attempt.Release(reuse: true);
            _breaker.Record(null);
            return task;
        }

        return RetryAsync(client, messages, options, started, attempt, task, cancellationToken);
    }

    /// <summary>
    /// Opens a stream through the resilience pipeline and waits for its first update (retrying before the first update
    /// only). The returned stream owns a cancellation source linked to <paramref name="cancellationToken"/> and a timer
    /// that enforces the first-chunk and then the idle timeout; the total timeout applies until the first update.
    /// </summary>
    public async ValueTask<OpenedStream> OpenStreamAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        double jitter = 0;
        for (int attemptNumber = 0; ; attemptNumber++)
        {
            Exception failure;
            if (_breaker.TryEnter() is { } broken)
            {
                failure = broken;
            }
            else
            {
                // Streams time their first chunk themselves (OpenedStream), since the stream outlives the attempt: only the
                // total timeout bounds the attempt here.
                var deadline = AttemptDeadline.Start(this, started, Timeout.InfiniteTimeSpan, cancellationToken);
                var stream = new OpenedStream(_time, Resilience, cancellationToken);
                try
                {
                    deadline.Arm(this);
                    using (deadline.Token.UnsafeRegister(static s => ((OpenedStream)s!).CancelAttempt(), stream))
                    {
                        await stream.StartAsync(client, messages, options).ConfigureAwait(false);
                    }

                    deadline.Release(reuse: false);
                    _breaker.Record(null);
                    return stream;
                }
#pragma warning disable CA1031 // The failure is classified, counted and rethrown below.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                    failure = deadline.Token.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                        ? new TimeoutRejectedException("The total timeout elapsed before the first chunk.", _totalTimeout, ex)
                        : ex;
                    deadline.Release(reuse: false);
                    _breaker.Record(IsServiceFailure(failure) ? failure : null);
                }
            }

            var delay = NextDelay(failure, attemptNumber, started, cancellationToken, ref jitter);
            if (delay is null)
            {
                throw Translate(failure, Resilience.FirstChunkTimeout, cancellationToken);
            }

            await WaitAsync(delay.Value, started, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Turns what the pipeline threw into the exception the caller sees: LlmKit exceptions and caller cancellations pass unchanged.</summary>
    public Exception Translate(Exception failure, TimeSpan attemptTimeout, CancellationToken cancellationToken)
    {
        switch (failure)
        {
            case LlmKitException:
                return failure;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return failure;
            case TimeoutRejectedException timeout:
                return new ProviderException(
                    string.Create(CultureInfo.InvariantCulture, $"Deployment '{Deployment.Name}' did not answer within {timeout.Timeout.TotalSeconds:0.###} s. Raise 'Resilience:AttemptTimeout', 'FirstChunkTimeout' or 'TotalTimeout' for this deployment if the calls are expected to take longer."),
                    Deployment.Provider,
                    null,
                    LlmFailureKind.Timeout,
                    innerException: failure);
            case BrokenCircuitException broken:
                return new ProviderException(
                    $"Deployment '{Deployment.Name}' is not taking calls: its circuit breaker opened after repeated failures. It is tried again after the break duration.",
                    Deployment.Provider,
                    null,
                    LlmFailureKind.Overloaded,
                    innerException: broken);
            case OperationCanceledException:
                return new ProviderException(
                    string.Create(CultureInfo.InvariantCulture, $"Deployment '{Deployment.Name}' did not answer within {attemptTimeout.TotalSeconds:0.###} s."),
                    Deployment.Provider,
                    null,
                    LlmFailureKind.Timeout,
                    innerException: failure);
            case HttpRequestException http:
                return new ProviderException(
                    $"The connection to deployment '{Deployment.Name}' failed: {http.Message} Check that the provider is reachable.",
                    Deployment.Provider,
                    http.StatusCode,
                    http.StatusCode is { } status ? ProviderException.ClassifyStatus(status) : LlmFailureKind.Network,
                    innerException: http);
            case IOException io:
                return new ProviderException(
                    $"The connection to deployment '{Deployment.Name}' broke: {io.Message} Check that the provider is reachable.",
                    Deployment.Provider,
                    null,
                    LlmFailureKind.Network,
                    innerException: io);
            default:
                return failure;
        }
    }

    private static Task<ChatResponse> Invoke(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return client.GetResponseAsync(messages, options, cancellationToken);
        }
#pragma warning disable CA1031 // A synchronous throw is an outcome like a faulted task; it is classified and rethrown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Task.FromException<ChatResponse>(ex);
        }
    }

    /// <summary>Awaits the first attempt that did not succeed at once, then retries as the settings allow.</summary>
    private async Task<ChatResponse> RetryAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions options, long started, AttemptDeadline attempt, Task<ChatResponse> pending, CancellationToken cancellationToken)
    {
        double jitter = 0;
        for (int attemptNumber = 0; ; attemptNumber++)
        {
            Exception failure;
            {
                if (!pending.IsCompleted)
                {
                    attempt.Arm(this);
                }

                try
                {
                    var response = await pending.ConfigureAwait(false);
                    attempt.Release(reuse: true);
                    _breaker.Record(null);
                    return response;
                }
#pragma warning disable CA1031 // The failure is classified, counted and rethrown below.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failure = ex;
                }

                bool deadlinePassed = attempt.Token.IsCancellationRequested && !cancellationToken.IsCancellationRequested && failure is OperationCanceledException;
                attempt.Release(reuse: false);
                if (deadlinePassed && attempt.IsTotal)
                {
                    // The total timeout ended the call: as with nested timeouts, the attempt itself only saw a cancellation
                    // (which the circuit breaker does not count as a failure), and nothing is retried.
                    _breaker.Record(null);
                    throw Translate(TotalTimeoutFailure(failure), Resilience.AttemptTimeout, cancellationToken);
                }

                if (deadlinePassed)
                {
                    failure = new TimeoutRejectedException(
                        string.Create(CultureInfo.InvariantCulture, $"The attempt did not complete within {_attemptTimeout.TotalSeconds:0.###} s."),
                        _attemptTimeout,
                        failure);
                }

                _breaker.Record(IsServiceFailure(failure) ? failure : null);
            }

            var delay = NextDelay(failure, attemptNumber, started, cancellationToken, ref jitter);
            if (delay is null)
            {
                throw Translate(failure, Resilience.AttemptTimeout, cancellationToken);
            }

            await WaitAsync(delay.Value, started, cancellationToken).ConfigureAwait(false);
            if (_breaker.TryEnter() is { } broken)
            {
                // An open circuit is not retried.
                throw Translate(broken, Resilience.AttemptTimeout, cancellationToken);
            }

            attempt = AttemptDeadline.Start(this, started, _attemptTimeout, cancellationToken);
            pending = Invoke(client, messages, options, attempt.Token);
        }
    }

    /// <summary>
    /// Returns how long to wait before the next attempt, or <see langword="null"/> when <paramref name="failure"/> must not
    /// be retried (not retryable, no retries left, the call was cancelled or the total timeout has passed).
    /// </summary>
    private TimeSpan? NextDelay(Exception failure, int attemptNumber, long started, CancellationToken cancellationToken, ref double jitter)
    {
        if (attemptNumber >= _maxRetries || cancellationToken.IsCancellationRequested || _time.GetElapsedTime(started) >= _totalTimeout
            || !ShouldRetry(failure, _time.GetElapsedTime(started), Resilience))
        {
            return null;
        }

        return failure is RateLimitedException { RetryAfter: { } wait } && wait > TimeSpan.Zero
            ? wait
            : Backoff(attemptNumber, ref jitter);
    }

    /// <summary>
    /// Exponential backoff with decorrelated jitter (the "V2" formula Polly uses): the median delay before retry <c>n</c> is
    /// about <c>RetryBaseDelay * 2^n</c>, capped by <c>RetryMaxDelay</c>.
    /// </summary>
    private TimeSpan Backoff(int attemptNumber, ref double previous)
    {
        if (_retryBaseDelay <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        const double PFactor = 4.0;
        const double RpScalingFactor = 1 / 1.4d;
        double t = attemptNumber + Random.Shared.NextDouble();
        double next = Math.Pow(2, t) * Math.Tanh(Math.Sqrt(PFactor * t));
        double ticks = (next - previous) * RpScalingFactor * _retryBaseDelay.Ticks;
        previous = next;
        double max = Math.Min(_retryMaxDelay.Ticks, (double)TimeSpan.MaxValue.Ticks - 1000);
        return TimeSpan.FromTicks((long)Math.Min(ticks, max));
    }

    /// <summary>Waits before a retry; when the wait outlasts the total timeout, waits until it ends and throws its timeout.</summary>
    private async Task WaitAsync(TimeSpan delay, long started, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        var left = _totalTimeout - _time.GetElapsedTime(started);
        if (delay < left)
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, _time, cancellationToken).ConfigureAwait(false);
        }

        throw Translate(TotalTimeoutFailure(null), Resilience.AttemptTimeout, cancellationToken);
    }

    private TimeoutRejectedException TotalTimeoutFailure(Exception? inner) => new(
        string.Create(CultureInfo.InvariantCulture, $"The call did not complete within its total timeout of {_totalTimeout.TotalSeconds:0.###} s."),
        _totalTimeout,
        inner!);

    /// <summary>Returns the route annotation for a call that asked for <paramref name="requested"/> (cached per requested name).</summary>
    public ModelRoute RouteFor(string? requested)
    {
        var route = _lastRoute;
        if (route is not null && string.Equals(route.LogicalModel, requested, StringComparison.Ordinal))
        {
            return route;
        }

        route = new ModelRoute(requested, Deployment);
        _lastRoute = route;
        return route;
    }

    /// <summary>Records a success: counters, moving-average latency, the cooldown window.</summary>
    public void RecordSuccess(TimeSpan latency, TimeSpan? firstChunk, long? outputTokens)
    {
        Counters.RecordSuccess(latency, firstChunk, outputTokens);
        double ms = latency.TotalMilliseconds;
        double previous = Volatile.Read(ref _hot.AverageLatencyMs);
        Volatile.Write(ref _hot.AverageLatencyMs, double.IsNaN(previous) ? ms : (previous * 0.8) + (ms * 0.2));
        CountInWindow(failed: false);
    }

    /// <summary>Records a failure and cools the deployment down when its settings say so.</summary>
    public void RecordFailure(Exception failure)
    {
        var kind = (failure as LlmKitException)?.FailureKind ?? LlmFailureKind.Unknown;
        if (failure is ProviderException { ProviderErrorCode: ClientRateLimitCode })
        {
            // Our own limit: the deployment is healthy, only busy.
            return;
        }

        Counters.RecordFailure(kind);
        if (!_cooldown.Enabled)
        {
            return;
        }

        switch (kind)
        {
            case LlmFailureKind.RateLimited:
                var retryAfter = (failure as RateLimitedException)?.RetryAfter;
                CoolDown(retryAfter is { } r && r > TimeSpan.Zero ? r : _cooldown.Duration, retryAfter is null ? "rate limited (HTTP 429)" : "rate limited (HTTP 429 with Retry-After)", rateLimited: true);
                break;
            case LlmFailureKind.QuotaExhausted:
                CoolDown((failure as RateLimitedException)?.RetryAfter ?? _cooldown.ConfigurationErrorDuration, "quota exhausted", rateLimited: true);
                break;
            case LlmFailureKind.Authentication:
                CoolDown(_cooldown.ConfigurationErrorDuration, "authentication failed (HTTP 401/403)");
                break;
            case LlmFailureKind.NotFound:
                CoolDown(_cooldown.ConfigurationErrorDuration, "model or endpoint not found (HTTP 404)");
                break;
            case LlmFailureKind.ServerError or LlmFailureKind.Overloaded or LlmFailureKind.Timeout or LlmFailureKind.Network or LlmFailureKind.Unknown:
                CountInWindow(failed: true);
                break;
        }
    }

    /// <summary>Takes the deployment out of rotation for <paramref name="duration"/> (capped by the maximum cooldown).</summary>
    public void CoolDown(TimeSpan duration, string reason, bool rateLimited = false)
    {
        if (duration > _cooldown.MaxDuration)
        {
            duration = _cooldown.MaxDuration;
        }

        long until = _time.GetUtcNow().UtcTicks + duration.Ticks;
        lock (_windowLock)
        {
            if (until > _cooldownUntilTicks)
            {
                _cooldownReason = reason;
                _cooldownAfterRateLimit = rateLimited;
                Volatile.Write(ref _cooldownUntilTicks, until);
            }
        }
    }

    public ModelPerformanceSnapshot Snapshot() => Counters.Snapshot(
        InFlight,
        double.IsNaN(AverageLatencyMs) ? null : TimeSpan.FromMilliseconds(AverageLatencyMs),
        CircuitState.ToString(),
        CoolingDownUntil,
        CooldownReason);

    public void Dispose()
    {
        _concurrency?.Dispose();
        _requests?.Dispose();
        _tokens?.Dispose();
    }

    private void CountInWindow(bool failed)
    {
        long now = _time.GetTimestamp();
        if (_time.GetElapsedTime(Volatile.Read(ref _windowStart), now) > _cooldown.Window)
        {
            lock (_windowLock)
            {
                if (_time.GetElapsedTime(_windowStart, now) > _cooldown.Window)
                {
                    _windowStart = now;
                    _windowCalls.Reset();
                    _windowFailures = 0;
                }
            }
        }

        _windowCalls.Increment();
        if (!failed)
        {
            return;
        }

        long calls = _windowCalls.Value;
        int failures = Interlocked.Increment(ref _windowFailures);
        if (calls >= _cooldown.MinimumCalls && failures >= _cooldown.FailureRatio * calls)
        {
            CoolDown(_cooldown.Duration, string.Create(CultureInfo.InvariantCulture, $"{failures} of its last {calls} calls failed"));
            lock (_windowLock)
            {
                _windowStart = now;
                _windowCalls.Reset();
                _windowFailures = 0;
            }
        }
    }

    private RateLimitedException ClientLimit(string what, TimeSpan? retryAfter) => new(
        $"Deployment '{Deployment.Name}' {what} (a client-side limit set in LlmKit's configuration). Wait and try again, or raise the limit.",
        Deployment.Provider,
        retryAfter,
        statusCode: null,
        providerErrorCode: ClientRateLimitCode);

    /// <summary>Takes permits; returns <see langword="null"/> when taken, else how long to wait.</summary>
    private static TimeSpan? Take(PerMinuteRateLimiter limiter, int permits)
    {
        using var lease = limiter.AttemptAcquire(permits);
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
    }

    private static int EstimateTokens(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        // A quick estimate (about four characters per token) so the limiter does not tokenize every prompt.
        long chars = 0;
        foreach (var message in messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is TextContent text)
                {
                    chars += text.Text?.Length ?? 0;
                }
            }
        }

        long estimate = (chars / 4) + 1 + (options?.MaxOutputTokens ?? 0);
        return (int)Math.Min(estimate, int.MaxValue);
    }

    private static bool IsServiceFailure(Exception? exception) => exception switch
    {
        null => false,
        LlmKitException e => e.FailureKind is LlmFailureKind.ServerError or LlmFailureKind.Overloaded or LlmFailureKind.Timeout or LlmFailureKind.Network,
        TimeoutRejectedException or HttpRequestException => true,
        _ => false,
    };

    private static bool ShouldRetry(Exception exception, TimeSpan elapsed, DeploymentResilienceOptions options)
    {
        if (exception is RateLimitedException rateLimited)
        {
            if (rateLimited.IsQuotaExhausted || rateLimited.ProviderErrorCode == ClientRateLimitCode)
            {
                return false;
            }

            // Honour Retry-After only when it fits both the longest wait allowed here and the time left; otherwise let the
            // router cool this deployment down and try another.
            if (rateLimited.RetryAfter is { } wait)
            {
                return wait <= options.MaxRetryAfter && wait < options.TotalTimeout - elapsed;
            }

            return true;
        }

        return exception switch
        {
            ProviderException provider => provider.IsRetryable,
            LlmKitException => false,
            TimeoutRejectedException or HttpRequestException => true,
            _ => false,
        };
    }

    /// <summary>
    /// The one cancellation source of an attempt: linked to the caller's token, and cancelled when the attempt timeout or the
    /// total timeout (whichever ends first) elapses. Its timer is armed only when the attempt does not complete at once; with
    /// the system clock an unused source is kept for the next call on the same thread.
    /// </summary>
    private struct AttemptDeadline
    {
        [ThreadStatic]
        private static CancellationTokenSource? t_spare;

        private CancellationTokenSource _source;
        private CancellationTokenRegistration _link;
        private long _started;
        private long _callStarted;
        private TimeSpan _attemptTimeout;

        /// <summary>Gets a value indicating whether the deadline is the total timeout's rather than the attempt's.</summary>
        public bool IsTotal { readonly get; private set; }

        public readonly CancellationToken Token => _source.Token;

        public static AttemptDeadline Start(DeploymentRuntime runtime, long callStarted, TimeSpan attemptTimeout, CancellationToken cancellationToken)
        {
            CancellationTokenSource source;
            if (ReferenceEquals(runtime._time, TimeProvider.System))
            {
                source = t_spare ?? new CancellationTokenSource();
                t_spare = null;
            }
            else
            {
                source = new CancellationTokenSource(Timeout.InfiniteTimeSpan, runtime._time);
            }

            var deadline = new AttemptDeadline
            {
                _source = source,
                _started = runtime._time.GetTimestamp(),
                _callStarted = callStarted,
                _attemptTimeout = attemptTimeout,
            };
            if (cancellationToken.CanBeCanceled)
            {
                deadline._link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source);
            }

            return deadline;
        }

        /// <summary>Starts the timer: the attempt timeout or what is left of the total timeout, whichever is shorter.</summary>
        public void Arm(DeploymentRuntime runtime)
        {
            long now = runtime._time.GetTimestamp();
            var total = runtime._totalTimeout - runtime._time.GetElapsedTime(_callStarted, now);
            var attempt = _attemptTimeout == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue : _attemptTimeout - runtime._time.GetElapsedTime(_started, now);
            IsTotal = total <= attempt;
            var due = IsTotal ? total : attempt;
            if (due <= TimeSpan.Zero)
            {
                _source.Cancel();
            }
            else
            {
                _source.CancelAfter(due < MaxTimer ? due : MaxTimer);
            }
        }

        /// <summary>Unlinks the caller's token and disposes the source, or keeps it for reuse when it never fired.</summary>
        public readonly void Release(bool reuse)
        {
            _link.Dispose();
            if (reuse && t_spare is null && _source.TryReset())
            {
                t_spare = _source;
                return;
            }

            _source.Dispose();
        }

        private static readonly TimeSpan MaxTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
    }

    /// <summary>
    /// The two fields every call writes (calls in flight, the moving-average latency), padded to 64 bytes on each side so
    /// that they share a cache line with nothing else of the deployment.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct HotFields
    {
        [FieldOffset(64)]
        public int InFlight;

        [FieldOffset(72)]
        public double AverageLatencyMs;
    }

    /// <summary>The permits one call holds; disposing releases the concurrency permit and the in-flight count.</summary>
    internal readonly struct Leases(DeploymentRuntime runtime, RateLimitLease? concurrency) : IDisposable
    {
        public void Dispose()
        {
            concurrency?.Dispose();
            Interlocked.Decrement(ref runtime._hot.InFlight);
        }
    }
}
