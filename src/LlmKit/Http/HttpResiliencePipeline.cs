using System.Net;
using LlmKit.Http;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace LlmKit;

/// <summary>
/// The per-deployment resilience pipeline (total timeout, retry, circuit breaker, attempt timeout) for raw HTTP calls,
/// shared by every <see cref="LlmKitResilienceHandler"/> of one named client so that the circuit state survives the
/// handler rotation of <c>IHttpClientFactory</c>.
/// </summary>
internal sealed class HttpResiliencePipeline
{
    private const int MaxInspectedBodyBytes = 64 * 1024;
    private static readonly ResiliencePropertyKey<long> StartedKey = new("llmkit.http.started");

    // What a 429 says when waiting will not help (OpenAI, Anthropic): the same markers the provider clients use.
    private static readonly string[] QuotaMarkers =
    [
        "insufficient_quota", "billing_hard_limit_reached", "billing_not_active", "exceeded your current quota", "credit balance is too low",
    ];

    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly TimeSpan _totalTimeout;
    private readonly TimeSpan _maxRetryAfter;

    public HttpResiliencePipeline(DeploymentResilienceOptions options, TimeProvider time, string paramName)
    {
        Validate(options, paramName);
        Time = time;
        MaxRetries = options.MaxRetries;
        BreakDuration = options.CircuitBreakerBreakDuration;
        _totalTimeout = options.TotalTimeout;
        _maxRetryAfter = options.MaxRetryAfter;
        Pipeline = Build(options);
    }

    public TimeProvider Time { get; }

    public int MaxRetries { get; }

    public TimeSpan BreakDuration { get; }

    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; }

    public CircuitState CircuitState => _circuit.CircuitState;

    /// <summary>Throws an <see cref="ArgumentException"/> listing every invalid setting.</summary>
    public static void Validate(DeploymentResilienceOptions options, string paramName)
    {
        ArgumentNullException.ThrowIfNull(options, paramName);
        var problems = new List<string>();
        LlmKitOptionsValidator.ValidateResilience("Resilience", options, (key, message) => problems.Add($"'{key}': {message}"));
        if (problems.Count > 0)
        {
            throw new ArgumentException("The resilience settings are invalid: " + string.Join(" ", problems), paramName);
        }
    }

    /// <summary>Gets a pooled context for one call, stamped with its start time.</summary>
    public ResilienceContext GetContext(CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StartedKey, Time.GetTimestamp());
        return context;
    }

    private ResiliencePipeline<HttpResponseMessage> Build(DeploymentResilienceOptions options)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = Time };
        builder.AddTimeout(new TimeoutStrategyOptions { Name = "total-timeout", Timeout = options.TotalTimeout });
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                Name = "retry",
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = args => ShouldRetryAsync(args.Outcome, args.Context),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } response ? RetryAfter(response) : null),
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            Name = "circuit-breaker",
            FailureRatio = options.CircuitBreakerFailureRatio,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            SamplingDuration = options.CircuitBreakerSamplingDuration,
            BreakDuration = options.CircuitBreakerBreakDuration,
            StateProvider = _circuit,
            ShouldHandle = static args => ValueTask.FromResult(IsServiceFailure(args.Outcome)),
        });
        builder.AddTimeout(new TimeoutStrategyOptions { Name = "attempt-timeout", Timeout = options.AttemptTimeout });
        return builder.Build();
    }

    /// <summary>Server errors, overloads, time-outs and broken connections count against the circuit; rate limits do not.</summary>
    private static bool IsServiceFailure(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        HttpRequestException or TimeoutRejectedException => true,
        null => outcome.Result is { } response && ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout),
        _ => false,
    };

    private async ValueTask<bool> ShouldRetryAsync(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (context.CancellationToken.IsCancellationRequested)
        {
            // The caller cancelled, or the total timeout elapsed.
            return false;
        }

        if (outcome.Exception is { } exception)
        {
            return exception is HttpRequestException or TimeoutRejectedException;
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
        // response goes back to the caller as it is.
        if (RetryAfter(response) is { } wait)
        {
            var elapsed = context.Properties.TryGetValue(StartedKey, out long started) ? Time.GetElapsedTime(started) : TimeSpan.Zero;
            return wait <= _maxRetryAfter && wait < _totalTimeout - elapsed;
        }

        return true;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => RetryAfterParser.Parse(response.Headers, Time.GetUtcNow());

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
}
