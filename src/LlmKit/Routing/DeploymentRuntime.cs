using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.AI;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace LlmKit;

/// <summary>
/// The live state of one deployment, shared by every router instance: its resilience pipeline (Polly.Core: total
/// timeout, retry, circuit breaker, attempt timeout), client-side rate limiters, cooldown, calls in flight, moving-average
/// latency and performance counters.
/// </summary>
internal sealed class DeploymentRuntime : IDisposable
{
    internal const string ClientRateLimitCode = "llmkit_client_rate_limit";
    private static readonly ResiliencePropertyKey<long> StartedKey = new("llmkit.started");

    private readonly TimeProvider _time;
    private readonly DeploymentCooldownOptions _cooldown;
    private readonly ConcurrencyLimiter? _concurrency;
    private readonly PerMinuteRateLimiter? _requests;
    private readonly PerMinuteRateLimiter? _tokens;
    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly Lock _windowLock = new();
    private long _cooldownUntilTicks;
    private string? _cooldownReason;
    private bool _cooldownAfterRateLimit;
    private long _windowStart;
    private int _windowCalls;
    private int _windowFailures;
    private int _inFlight;
    private double _averageLatencyMs = double.NaN;

    public DeploymentRuntime(ModelDeployment deployment, bool enabled, int? maxConcurrency, DeploymentResilienceOptions resilience, DeploymentCooldownOptions cooldown, TimeProvider time)
    {
        Deployment = deployment;
        Enabled = enabled;
        Resilience = resilience;
        _cooldown = cooldown;
        _time = time;
        Counters = new PerformanceCounters(deployment.Name);
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

        Pipeline = BuildPipeline(resilience, time, _circuit);
    }

    public ModelDeployment Deployment { get; }

    public bool Enabled { get; }

    public DeploymentResilienceOptions Resilience { get; }

    public ResiliencePipeline Pipeline { get; }

    public PerformanceCounters Counters { get; }

    public int InFlight => Volatile.Read(ref _inFlight);

    public bool HasTokenLimit => _tokens is not null;

    /// <summary>Gets the moving-average latency in milliseconds, or NaN before the first success.</summary>
    public double AverageLatencyMs => Volatile.Read(ref _averageLatencyMs);

    public CircuitState CircuitState => _circuit.CircuitState;

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

        if (_circuit.CircuitState is CircuitState.Open or CircuitState.Isolated)
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

        Interlocked.Increment(ref _inFlight);
        return new Leases(this, concurrency);
    }

    /// <summary>Runs a non-streaming call through the resilience pipeline.</summary>
    public async ValueTask<ChatResponse> ExecuteAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StartedKey, _time.GetTimestamp());
        try
        {
            var outcome = await Pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.client.GetResponseAsync(state.messages, state.options, ctx.CancellationToken).ConfigureAwait(false));
                    }
#pragma warning disable CA1031 // Polly carries the failure as an outcome; it is rethrown below.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        return Outcome.FromException<ChatResponse>(ex);
                    }
                },
                context,
                (client, messages, options)).ConfigureAwait(false);
            if (outcome.Exception is { } failure)
            {
                throw Translate(failure, Resilience.AttemptTimeout, cancellationToken);
            }

            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// Opens a stream through the resilience pipeline and waits for its first update (retrying before the first update
    /// only). The returned stream owns a cancellation source linked to <paramref name="cancellationToken"/> and a timer
    /// that enforces the first-chunk and then the idle timeout.
    /// </summary>
    public async ValueTask<OpenedStream> OpenStreamAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(OpenedStream.OperationKey, cancellationToken);
        context.Properties.Set(StartedKey, _time.GetTimestamp());
        try
        {
            var outcome = await Pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    var stream = new OpenedStream(state.self._time, state.self.Resilience, state.cancellationToken);
                    try
                    {
                        // The pipeline's token (total timeout) may only cancel this attempt until the first update; after
                        // that the stream lives on under the idle timeout alone.
                        using (ctx.CancellationToken.UnsafeRegister(static s => ((OpenedStream)s!).CancelAttempt(), stream))
                        {
                            await stream.StartAsync(state.client, state.messages, state.options).ConfigureAwait(false);
                        }

                        return Outcome.FromResult(stream);
                    }
#pragma warning disable CA1031 // Polly carries the failure as an outcome; it is rethrown below.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        await stream.DisposeAsync().ConfigureAwait(false);
                        return Outcome.FromException<OpenedStream>(ctx.CancellationToken.IsCancellationRequested && !state.cancellationToken.IsCancellationRequested
                            ? new TimeoutRejectedException("The total timeout elapsed before the first chunk.", state.self.Resilience.TotalTimeout, ex)
                            : ex);
                    }
                },
                context,
                (self: this, client, messages, options, cancellationToken)).ConfigureAwait(false);
            if (outcome.Exception is { } failure)
            {
                throw Translate(failure, Resilience.FirstChunkTimeout, cancellationToken);
            }

            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
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

    /// <summary>Records a success: counters, moving-average latency, the cooldown window.</summary>
    public void RecordSuccess(TimeSpan latency, TimeSpan? firstChunk, long? outputTokens)
    {
        Counters.RecordSuccess(latency, firstChunk, outputTokens);
        double ms = latency.TotalMilliseconds;
        double previous = Volatile.Read(ref _averageLatencyMs);
        Volatile.Write(ref _averageLatencyMs, double.IsNaN(previous) ? ms : (previous * 0.8) + (ms * 0.2));
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
                    _windowCalls = 0;
                    _windowFailures = 0;
                }
            }
        }

        int calls = Interlocked.Increment(ref _windowCalls);
        if (!failed)
        {
            return;
        }

        int failures = Interlocked.Increment(ref _windowFailures);
        if (calls >= _cooldown.MinimumCalls && failures >= _cooldown.FailureRatio * calls)
        {
            CoolDown(_cooldown.Duration, string.Create(CultureInfo.InvariantCulture, $"{failures} of its last {calls} calls failed"));
            lock (_windowLock)
            {
                _windowStart = now;
                _windowCalls = 0;
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

    private static ResiliencePipeline BuildPipeline(DeploymentResilienceOptions options, TimeProvider time, CircuitBreakerStateProvider circuit)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.TotalTimeout, Name = "total-timeout" });
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                Name = "retry",
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome.Exception, args.Context, options, time)),
                DelayGenerator = static args => ValueTask.FromResult(
                    args.Outcome.Exception is RateLimitedException { RetryAfter: { } wait } && wait > TimeSpan.Zero ? wait : (TimeSpan?)null),
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            Name = "circuit-breaker",
            FailureRatio = options.CircuitBreakerFailureRatio,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            SamplingDuration = options.CircuitBreakerSamplingDuration,
            BreakDuration = options.CircuitBreakerBreakDuration,
            StateProvider = circuit,
            ShouldHandle = static args => ValueTask.FromResult(IsServiceFailure(args.Outcome.Exception)),
        });
        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Name = "attempt-timeout",

            // Streams time their first chunk themselves (OpenedStream), since the stream outlives the attempt.
            TimeoutGenerator = args => ValueTask.FromResult(args.Context.OperationKey == OpenedStream.OperationKey ? Timeout.InfiniteTimeSpan : options.AttemptTimeout),
        });
        return builder.Build();
    }

    private static bool IsServiceFailure(Exception? exception) => exception switch
    {
        null => false,
        LlmKitException e => e.FailureKind is LlmFailureKind.ServerError or LlmFailureKind.Overloaded or LlmFailureKind.Timeout or LlmFailureKind.Network,
        TimeoutRejectedException or HttpRequestException => true,
        _ => false,
    };

    private static bool ShouldRetry(Exception? exception, ResilienceContext context, DeploymentResilienceOptions options, TimeProvider time)
    {
        if (exception is null || context.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

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
                var elapsed = context.Properties.TryGetValue(StartedKey, out long started) ? time.GetElapsedTime(started) : TimeSpan.Zero;
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

    /// <summary>The permits one call holds; disposing releases the concurrency permit and the in-flight count.</summary>
    internal readonly struct Leases(DeploymentRuntime runtime, RateLimitLease? concurrency) : IDisposable
    {
        public void Dispose()
        {
            concurrency?.Dispose();
            Interlocked.Decrement(ref runtime._inFlight);
        }
    }
}
