using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Threading.RateLimiting;
using Microsoft.Extensions.AI;
using Polly;
using Polly.CircuitBreaker;
using Microsoft.Extensions.Logging;
using Polly.RateLimiting;
using Polly.Timeout;

namespace LlmKit;

/// <summary>
/// The live state of one deployment, shared by every router instance: its circuit as the breaker last reported it, its
/// Polly.Core resilience pipeline when the provider is a plain client (a provider that sends HTTP through LlmKit has the
/// same strategies in its named client's resilience handler), client-side rate limiters, cooldown, calls in flight,
/// moving-average latency and performance counters.
/// </summary>
internal sealed class DeploymentRuntime : IDisposable
{
    internal const string ClientRateLimitCode = "llmkit_client_rate_limit";

    private readonly TimeProvider _time;
    private readonly DeploymentCooldownOptions _cooldown;
    private readonly ConcurrencyLimiter? _concurrency;
    private readonly PerMinuteRateLimiter? _requests;
    private readonly PerMinuteRateLimiter? _tokens;
    private readonly DeploymentCircuit _circuit;
    private readonly ResiliencePipeline? _pipeline;
    private readonly ILogger _logger;
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

    public DeploymentRuntime(ModelDeployment deployment, bool enabled, int? maxConcurrency, DeploymentResilienceOptions resilience, DeploymentCooldownOptions cooldown, TimeProvider time, DeploymentCircuits circuits, bool sendsHttp, ILogger logger)
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

        Key = DeploymentCircuits.KeyOf(deployment.Provider, deployment.Model);
        _circuit = circuits.Get(Key);
        _logger = logger;

        // A provider that sends HTTP through LlmKit's named client has the strategies in its resilience handler already.
        _pipeline = sendsHttp ? null : DeploymentResilience.BuildForClient(resilience, _circuit, time, logger);
    }

    /// <summary>Gets the deployment key, <c>connection/model</c>, that names its circuit and its HTTP resilience pipeline.</summary>
    public string Key { get; }

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

    public CircuitState CircuitState => _circuit.State;

    /// <summary>Gets when the deployment's open circuit lets a probe through, or <see langword="null"/> when it is not open.</summary>
    public DateTimeOffset? CircuitRetryAt => _circuit.RetryAt;

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

        return _circuit.Unavailability();
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
    /// Runs a non-streaming call: through the deployment's Polly.Core pipeline for a plain provider client, or straight to a
    /// provider that sends HTTP through LlmKit's resilience handler (which then retries, times and breaks the call per
    /// deployment). A call that completes at once and successfully is handed back as the provider's own task.
    /// </summary>
    public Task<ChatResponse> ExecuteAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        if (_pipeline is null)
        {
            Task<ChatResponse> task;
            using (DeploymentScope.Enter(Key))
            {
                task = Invoke(client, messages, options, cancellationToken);
            }

            return task.IsCompletedSuccessfully ? task : TranslateAsync(task, cancellationToken);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        DeploymentResilience.MarkStarted(context, _time);
        var pending = _pipeline.ExecuteOutcomeAsync(
            static (ctx, state) =>
            {
                var task = Invoke(state.client, state.messages, state.options, ctx.CancellationToken);
                return task.IsCompletedSuccessfully ? new ValueTask<Outcome<ChatResponse>>(Outcome.FromResult(task.Result)) : AwaitOutcome(task);
            },
            context,
            (client, messages, options));
        if (pending.IsCompletedSuccessfully)
        {
            var outcome = pending.Result;
            ResilienceContextPool.Shared.Return(context);
            return outcome.Exception is { } failure
                ? Task.FromException<ChatResponse>(Translate(failure, Resilience.AttemptTimeout, cancellationToken))
                : Task.FromResult(outcome.Result!);
        }

        return CompleteAsync(pending, context, cancellationToken);
    }

    /// <summary>
    /// Opens a stream and waits for its first update, retrying (for a plain provider client; the HTTP handler retries the
    /// others) before the first update only. The returned stream enforces the first-chunk, idle and total stream deadlines.
    /// </summary>
    public async ValueTask<OpenedStream> OpenStreamAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        if (_pipeline is null)
        {
            var stream = new OpenedStream(_time, Resilience, started, cancellationToken);
            try
            {
                using (DeploymentScope.Enter(Key))
                {
                    await stream.StartAsync(client, messages, options).ConfigureAwait(false);
                }

                return stream;
            }
            catch (Exception ex)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                var translated = Translate(ex, Resilience.FirstChunkTimeout, cancellationToken);
                if (ReferenceEquals(translated, ex))
                {
                    throw;
                }

                throw translated;
            }
        }

        var context = ResilienceContextPool.Shared.Get(DeploymentResilience.StreamOperationKey, cancellationToken);
        DeploymentResilience.MarkStarted(context, _time);
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    var stream = new OpenedStream(state.self._time, state.self.Resilience, state.started, state.cancellationToken);
                    try
                    {
                        // The stream outlives this attempt, so it reads with its own cancellation source; the pipeline's
                        // total timeout cancels it only until the first update.
                        using (ctx.CancellationToken.UnsafeRegister(static s => ((OpenedStream)s!).CancelAttempt(), stream))
                        {
                            await stream.StartAsync(state.client, state.messages, state.options).ConfigureAwait(false);
                        }

                        return Outcome.FromResult(stream);
                    }
#pragma warning disable CA1031 // Polly carries the failure as an outcome; it is translated below.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        await stream.DisposeAsync().ConfigureAwait(false);
                        return Outcome.FromException<OpenedStream>(ex);
                    }
                },
                context,
                (self: this, client, messages, options, started, cancellationToken)).ConfigureAwait(false);
            return outcome.Exception is { } failure ? throw Translate(failure, Resilience.FirstChunkTimeout, cancellationToken) : outcome.Result!;
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
                    broken.RetryAfter is { } after
                        ? string.Create(CultureInfo.InvariantCulture, $"Deployment '{Deployment.Name}' is not taking calls: its circuit breaker opened after repeated failures. A probe call is let through in {after.TotalSeconds:0.###} s.")
                        : $"Deployment '{Deployment.Name}' is not taking calls: its circuit breaker is open after repeated failures (or its probe call is still running).",
                    Deployment.Provider,
                    null,
                    LlmFailureKind.Overloaded,
                    innerException: broken);
            case RateLimiterRejectedException limited:
                return new RateLimitedException(
                    $"Deployment '{Deployment.Name}' already has as many HTTP requests in flight as its 'Resilience:MaxConcurrentRequests' allows (a client-side limit). Wait and try again, or raise the limit.",
                    Deployment.Provider,
                    limited.RetryAfter,
                    statusCode: null,
                    providerErrorCode: ClientRateLimitCode);
            case OperationCanceledException:
                return new ProviderException(
                    string.Create(CultureInfo.InvariantCulture, $"Deployment '{Deployment.Name}' did not answer within {attemptTimeout.TotalSeconds:0.###} s."),
                    Deployment.Provider,
                    null,
                    LlmFailureKind.Timeout,
                    innerException: failure);
            case HttpRequestException http:
                return new ProviderException(
                    $"The connection to deployment '{Deployment.Name}' failed ({http.HttpRequestError}). Check that the provider is reachable.",
                    Deployment.Provider,
                    http.StatusCode,
                    http.StatusCode is { } status ? ProviderException.ClassifyStatus(status) : LlmFailureKind.Network,
                    innerException: http);
            case IOException io:
                return new ProviderException(
                    $"The connection to deployment '{Deployment.Name}' broke. Check that the provider is reachable.",
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

    private static async ValueTask<Outcome<ChatResponse>> AwaitOutcome(Task<ChatResponse> task)
    {
        try
        {
            return Outcome.FromResult(await task.ConfigureAwait(false));
        }
#pragma warning disable CA1031 // Polly carries the failure as an outcome.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Outcome.FromException<ChatResponse>(ex);
        }
    }

    private async Task<ChatResponse> CompleteAsync(ValueTask<Outcome<ChatResponse>> pending, ResilienceContext context, CancellationToken cancellationToken)
    {
        Outcome<ChatResponse> outcome;
        try
        {
            outcome = await pending.ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        return outcome.Exception is { } failure ? throw Translate(failure, Resilience.AttemptTimeout, cancellationToken) : outcome.Result!;
    }

    private async Task<ChatResponse> TranslateAsync(Task<ChatResponse> task, CancellationToken cancellationToken)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var translated = Translate(ex, Resilience.AttemptTimeout, cancellationToken);
            if (ReferenceEquals(translated, ex))
            {
                throw;
            }

            throw translated;
        }
    }

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
            if (until <= _cooldownUntilTicks)
            {
                return;
            }

            _cooldownReason = reason;
            _cooldownAfterRateLimit = rateLimited;
            Volatile.Write(ref _cooldownUntilTicks, until);
        }

        ResilienceLog.Cooldown(_logger, Deployment.Name, duration.TotalMilliseconds, reason);
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
