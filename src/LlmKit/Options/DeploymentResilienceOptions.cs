namespace LlmKit;

/// <summary>
/// The resilience settings of one deployment. A provider that sends HTTP through LlmKit (OpenAI, Anthropic, Gemini,
/// Ollama) gets them in the resilience handler (Microsoft.Extensions.Http.Resilience) of its named <c>HttpClient</c>:
/// concurrency limiter, total timeout, retry, circuit breaker, attempt timeout. A provider registered as a plain
/// <c>IChatClient</c> gets the same strategies from a Polly.Core pipeline around its calls. The router adds the client-side
/// limits (<see cref="DeploymentOptions.MaxConcurrency"/>, <see cref="DeploymentOptions.RequestsPerMinute"/>,
/// <see cref="DeploymentOptions.TokensPerMinute"/>) and the stream deadlines (first chunk, idle, total). The defaults are
/// sized for LLM calls, which can take minutes.
/// </summary>
public sealed class DeploymentResilienceOptions
{
    /// <summary>Gets or sets the time allowed for a call on this deployment, retries included. Defaults to 10 minutes.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets the time allowed for one attempt of a non-streaming call. Defaults to 5 minutes.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the time a stream may take to deliver its first chunk (each attempt). Defaults to 60 seconds.</summary>
    public TimeSpan FirstChunkTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the longest silence between two chunks of a stream. Defaults to 60 seconds.</summary>
    public TimeSpan ChunkIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets the time a whole stream may take, from the call to its last chunk; a stream still running then ends with
    /// a <see cref="ProviderException"/> of kind <see cref="LlmFailureKind.Timeout"/>. Defaults to <see langword="null"/>:
    /// <see cref="TotalTimeout"/> applies.
    /// </summary>
    public TimeSpan? StreamTotalTimeout { get; set; }

    /// <summary>
    /// Gets or sets how many HTTP requests the deployment's resilience handler lets run at once; more are refused at once
    /// (no queue). Defaults to 1000, the standard resilience handler's default.
    /// </summary>
    public int MaxConcurrentRequests { get; set; } = 1000;

    /// <summary>
    /// Gets or sets how many times a failed attempt is retried on the same deployment (rate limited, overloaded, server
    /// error, timeout, network). A quota-exhausted 429, a bad request and a caller's cancellation are never retried.
    /// Defaults to 2; 0 turns retries off.
    /// </summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Gets or sets the first backoff delay; later ones double, with jitter. Defaults to 1 second.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest backoff delay. Defaults to 30 seconds.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the longest wait a provider's Retry-After may impose before a retry on the same deployment; a longer
    /// one (or one past the remaining total time) ends the attempts here so the router can cool the deployment down and
    /// fall back. Defaults to 20 seconds.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets or sets the failure ratio that opens the circuit. Defaults to 0.5; greater than 0, at most 1.</summary>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Gets or sets the calls within the sampling duration before the circuit can open. Defaults to 10; at least 2.</summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    /// <summary>Gets or sets the window the circuit breaker samples. Defaults to 60 seconds; at least 0.5 seconds.</summary>
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how long the circuit stays open before a trial call. Defaults to 30 seconds; at least 0.5 seconds.</summary>
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
