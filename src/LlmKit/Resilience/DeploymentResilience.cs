using System.Globalization;
using System.Net;
using LlmKit.Http;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace LlmKit;

/// <summary>
/// Builds a deployment's resilience strategies from <see cref="DeploymentResilienceOptions"/>, outermost first: (HTTP only)
/// concurrency limiter, total timeout, retry, circuit breaker, attempt timeout. The HTTP form goes into the resilience handler
/// of a provider's named <c>HttpClient</c> (Microsoft.Extensions.Http.Resilience); the plain form wraps a provider that is an
/// <see cref="Microsoft.Extensions.AI.IChatClient"/> with no HTTP of LlmKit's own (Polly.Core). Both report their circuit to
/// the router through a <see cref="DeploymentCircuit"/> and log retries and circuit changes.
/// </summary>
internal static class DeploymentResilience
{
    /// <summary>The Polly operation key of a stream being opened: the attempt timeout leaves it alone (the stream's deadlines time it).</summary>
    public const string StreamOperationKey = "llmkit.stream";

    private const int MaxInspectedBodyBytes = 64 * 1024;
    private static readonly ResiliencePropertyKey<long> StartedKey = new("llmkit.started");

    // What a 429 says when waiting will not help (OpenAI, Anthropic): the same markers the provider clients use.
    private static readonly string[] QuotaMarkers =
    [
        "insufficient_quota", "billing_hard_limit_reached", "billing_not_active", "exceeded your current quota", "credit balance is too low",
    ];

    /// <summary>Adds the HTTP strategies of one deployment (or connection) to a resilience handler's pipeline.</summary>
    public static void AddHttpStrategies(ResiliencePipelineBuilder<HttpResponseMessage> builder, DeploymentResilienceOptions options, DeploymentCircuit circuit, TimeProvider time, ILogger logger)
    {
        builder.AddRateLimiter(new HttpRateLimiterStrategyOptions
        {
            Name = "rate-limiter",
            DefaultRateLimiterOptions = { PermitLimit = options.MaxConcurrentRequests, QueueLimit = 0 },
        });
        builder.AddTimeout(new HttpTimeoutStrategyOptions
        {
            Name = "total-timeout",
            Timeout = options.TotalTimeout,
        });
        builder.AddStrategy(_ => new StampStartStrategy(time), new StampStartOptions());
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                Name = "retry",
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ShouldRetryHttpAsync(args.Outcome, args.Context, options, time),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } response ? RetryAfterParser.Parse(response.Headers, time.GetUtcNow()) : null),
                OnRetry = args =>
                {
                    ResilienceLog.Retry(logger, circuit.Key, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, Describe(args.Outcome));
                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            Name = "circuit-breaker",
            FailureRatio = options.CircuitBreakerFailureRatio,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            SamplingDuration = options.CircuitBreakerSamplingDuration,
            BreakDuration = options.CircuitBreakerBreakDuration,
            ShouldHandle = static args => ValueTask.FromResult(IsServiceFailure(args.Outcome)),
            OnOpened = args =>
            {
                circuit.Opened(args.BreakDuration);
                ResilienceLog.CircuitOpened(logger, circuit.Key, args.BreakDuration.TotalMilliseconds, Describe(args.Outcome));
                return default;
            },
            OnHalfOpened = _ =>
            {
                circuit.HalfOpened();
                ResilienceLog.CircuitHalfOpened(logger, circuit.Key);
                return default;
            },
            OnClosed = _ =>
            {
                circuit.Closed();
                ResilienceLog.CircuitClosed(logger, circuit.Key);
                return default;
            },
        });
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "attempt-timeout", Timeout = options.AttemptTimeout });
    }

    /// <summary>Builds the pipeline of a deployment whose provider client has no HTTP resilience handler of LlmKit's.</summary>
    public static ResiliencePipeline BuildForClient(DeploymentResilienceOptions options, DeploymentCircuit circuit, TimeProvider time, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time, Name = "llmkit", InstanceName = circuit.Key };

        // Polly's own metrics (the Polly meter, resilience.polly.*), as the HTTP resilience handler has them. Not Polly's
        // logs: they quote a failed outcome's exception message, which a third-party client may fill with a key; the
        // routing events of ResilienceLog say the same with a failure kind instead.
        builder.ConfigureTelemetry(NullLoggerFactory.Instance);
        builder.AddTimeout(new TimeoutStrategyOptions { Name = "total-timeout", Timeout = options.TotalTimeout });
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
                DelayGenerator = static args => ValueTask.FromResult(args.Outcome.Exception is RateLimitedException { RetryAfter: { } wait } && wait > TimeSpan.Zero ? wait : (TimeSpan?)null),
                OnRetry = args =>
                {
                    ResilienceLog.Retry(logger, circuit.Key, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, Describe(args.Outcome.Exception));
                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            Name = "circuit-breaker",
            FailureRatio = options.CircuitBreakerFailureRatio,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            SamplingDuration = options.CircuitBreakerSamplingDuration,
            BreakDuration = options.CircuitBreakerBreakDuration,
            ShouldHandle = static args => ValueTask.FromResult(IsServiceFailure(args.Outcome.Exception)),
            OnOpened = args =>
            {
                circuit.Opened(args.BreakDuration);
                ResilienceLog.CircuitOpened(logger, circuit.Key, args.BreakDuration.TotalMilliseconds, Describe(args.Outcome.Exception));
                return default;
            },
            OnHalfOpened = _ =>
            {
                circuit.HalfOpened();
                ResilienceLog.CircuitHalfOpened(logger, circuit.Key);
                return default;
            },
            OnClosed = _ =>
            {
                circuit.Closed();
                ResilienceLog.CircuitClosed(logger, circuit.Key);
                return default;
            },
        });
        var attemptTimeout = options.AttemptTimeout;
        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Name = "attempt-timeout",
            TimeoutGenerator = args => ValueTask.FromResult(args.Context.OperationKey == StreamOperationKey ? Timeout.InfiniteTimeSpan : attemptTimeout),
        });
        return builder.Build();
    }

    /// <summary>Stamps the start of a call on a pooled context (for the retry's "time left" check).</summary>
    public static void MarkStarted(ResilienceContext context, TimeProvider time) => context.Properties.Set(StartedKey, time.GetTimestamp());

    /// <summary>Service failures open the circuit: server errors, overloads, time-outs and broken connections; rate limits and bad requests do not.</summary>
    public static bool IsServiceFailure(Exception? exception) => exception switch
    {
        null => false,
        LlmKitException e => e.FailureKind is LlmFailureKind.ServerError or LlmFailureKind.Overloaded or LlmFailureKind.Timeout or LlmFailureKind.Network,
        TimeoutRejectedException or HttpRequestException or IOException => true,
        _ => false,
    };

    private static bool IsServiceFailure(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        HttpRequestException or TimeoutRejectedException or IOException => true,
        null => outcome.Result is { } response && ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout),
        _ => false,
    };

    /// <summary>Whether a failure of a plain provider client is retried on the same deployment.</summary>
    private static bool ShouldRetry(Exception? exception, ResilienceContext context, DeploymentResilienceOptions options, TimeProvider time)
    {
        if (exception is null || context.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        if (exception is RateLimitedException rateLimited)
        {
            if (rateLimited.IsQuotaExhausted || rateLimited.ProviderErrorCode == DeploymentRuntime.ClientRateLimitCode)
            {
                return false;
            }

            // Honour Retry-After only when it fits both the longest wait allowed here and the time left; otherwise the router
            // cools this deployment down and tries another.
            return rateLimited.RetryAfter is not { } wait || (wait <= options.MaxRetryAfter && wait < options.TotalTimeout - Elapsed(context, time));
        }

        return exception switch
        {
            ProviderException provider => provider.IsRetryable,
            LlmKitException => false,
            TimeoutRejectedException or HttpRequestException or IOException => true,
            _ => false,
        };
    }

    private static async ValueTask<bool> ShouldRetryHttpAsync(Outcome<HttpResponseMessage> outcome, ResilienceContext context, DeploymentResilienceOptions options, TimeProvider time)
    {
        if (context.CancellationToken.IsCancellationRequested)
        {
            // The caller cancelled, or the total timeout elapsed.
            return false;
        }

        if (outcome.Exception is { } exception)
        {
            return exception is HttpRequestException or TimeoutRejectedException or IOException;
        }

        var response = outcome.Result!;
        int status = (int)response.StatusCode;
        bool? serverSays = ShouldRetryHeader(response);
        if (serverSays == false || (serverSays is null && status is not (408 or 429 or 500 or 502 or 503 or 504 or 529)))
        {
            return false;
        }

        if (status == 429 && await IsQuotaExhaustedAsync(response, context.CancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        // Honour a server-requested wait only when it fits both the longest wait allowed and the time left; otherwise the
        // response goes back to the caller as it is, and the router cools the deployment down and falls back.
        if (RetryAfterParser.Parse(response.Headers, time.GetUtcNow()) is { } wait)
        {
            return wait <= options.MaxRetryAfter && wait < options.TotalTimeout - Elapsed(context, time);
        }

        return true;
    }

    private static TimeSpan Elapsed(ResilienceContext context, TimeProvider time)
        => context.Properties.TryGetValue(StartedKey, out long started) && started != 0 ? time.GetElapsedTime(started) : TimeSpan.Zero;

    /// <summary>Reads OpenAI's and Anthropic's <c>x-should-retry</c> header: <see langword="null"/> when absent or unclear.</summary>
    private static bool? ShouldRetryHeader(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("x-should-retry", out var values))
        {
            return null;
        }

        string? value = values.FirstOrDefault();
        return string.Equals(value, "true", StringComparison.OrdinalIgnoreCase) ? true
            : string.Equals(value, "false", StringComparison.OrdinalIgnoreCase) ? false : null;
    }

    /// <summary>Looks for a quota-exhausted code in a small 429 body; the body is buffered, so the caller can still read it.</summary>
    private static async ValueTask<bool> IsQuotaExhaustedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is > MaxInspectedBodyBytes)
        {
            return false;
        }

        try
        {
            await response.Content.LoadIntoBufferAsync(MaxInspectedBodyBytes, cancellationToken).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            foreach (string marker in QuotaMarkers)
            {
                if (body.Contains(marker, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or OperationCanceledException)
        {
            // An unreadable or oversized body: treat the 429 as an ordinary rate limit.
            return false;
        }
    }

    /// <summary>A reason for a log line: a failure kind, an HTTP status or an exception type, never a message (which could quote a provider's text).</summary>
    private static string Describe(Outcome<HttpResponseMessage> outcome)
        => outcome.Result is { } response ? string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}") : Describe(outcome.Exception);

    private static string Describe(Exception? exception) => exception switch
    {
        null => "no failure",
        LlmKitException e when e is ProviderException { StatusCode: { } status } => string.Create(CultureInfo.InvariantCulture, $"{e.FailureKind} (HTTP {(int)status})"),
        LlmKitException e => e.FailureKind.ToString(),
        TimeoutRejectedException => "a timeout",
        _ => exception.GetType().Name,
    };

    /// <summary>Options of <see cref="StampStartStrategy"/>.</summary>
    private sealed class StampStartOptions : ResilienceStrategyOptions
    {
        public StampStartOptions() => Name = "llmkit-start";
    }

    /// <summary>Records when the call entered the pipeline, inside the total timeout, so the retry knows the time left.</summary>
    private sealed class StampStartStrategy(TimeProvider time) : ResilienceStrategy
    {
        protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
        {
            if (!context.Properties.TryGetValue(StartedKey, out long started) || started == 0)
            {
                MarkStarted(context, time);
            }

            return callback(context, state);
        }
    }
}
