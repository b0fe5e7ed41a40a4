using System.Globalization;
using System.Runtime.ExceptionServices;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace LlmKit;

/// <summary>
/// LlmKit's per-deployment resilience pipeline as an HTTP handler, for hosts that call a provider's HTTP API by hand:
/// total timeout, retry (exponential backoff with jitter, honouring <c>retry-after-ms</c> and <c>retry-after</c>),
/// circuit breaker and attempt timeout, configured with <see cref="DeploymentResilienceOptions"/>.
/// </summary>
/// <remarks>
/// <para>
/// Retried: 408, 429, 500, 502, 503, 504 and 529 responses, <see cref="HttpRequestException"/> and attempt time-outs, and
/// any response whose <c>x-should-retry</c> header says <c>true</c>. Never retried: a response whose <c>x-should-retry</c>
/// says <c>false</c>, a 429 whose body says the quota is exhausted (<c>insufficient_quota</c> and the like), a
/// server-requested wait longer than <see cref="DeploymentResilienceOptions.MaxRetryAfter"/> or than the time left of
/// <see cref="DeploymentResilienceOptions.TotalTimeout"/>, and the caller's cancellation.
/// </para>
/// <para>
/// When the attempts end on a response, that response is returned (its status unchanged); failed responses that are
/// retried are disposed first. A time-out throws a <see cref="ProviderException"/> of kind
/// <see cref="LlmFailureKind.Timeout"/>, an open circuit one of kind <see cref="LlmFailureKind.Overloaded"/>; other
/// exceptions pass unchanged. The request content is buffered before the first attempt so that retries send the same
/// bytes. Only asynchronous sends are supported.
/// </para>
/// </remarks>
public sealed class LlmKitResilienceHandler : DelegatingHandler
{
    private readonly HttpResiliencePipeline _pipeline;

    /// <summary>Initializes a new instance with its own pipeline (and its own circuit breaker).</summary>
    /// <param name="options">The resilience settings; <see langword="null"/> for the defaults of <see cref="DeploymentResilienceOptions"/>. Read once, here.</param>
    /// <param name="timeProvider">The clock for delays and time-outs; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> holds an invalid value.</exception>
    public LlmKitResilienceHandler(DeploymentResilienceOptions? options = null, TimeProvider? timeProvider = null)
        : this(new HttpResiliencePipeline(options ?? new DeploymentResilienceOptions(), timeProvider ?? TimeProvider.System, nameof(options)))
    {
    }

    internal LlmKitResilienceHandler(HttpResiliencePipeline pipeline) => _pipeline = pipeline;

    internal CircuitState CircuitState => _pipeline.CircuitState;

    /// <summary>Sends the request through the resilience pipeline.</summary>
    /// <param name="request">The request; its content is buffered before the first attempt when retries are on.</param>
    /// <param name="cancellationToken">Cancels the call; a cancellation is never retried.</param>
    /// <returns>The last response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="ProviderException">The call timed out, or the circuit breaker is open.</exception>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Content is not null && _pipeline.MaxRetries > 0)
        {
            // Retries send the same HttpRequestMessage again: its content must be readable more than once.
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        var context = _pipeline.GetContext(cancellationToken);
        Outcome<HttpResponseMessage> outcome;
        try
        {
            outcome = await _pipeline.Pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.self.SendAttemptAsync(state.request, ctx.CancellationToken).ConfigureAwait(false));
                    }
#pragma warning disable CA1031 // Polly carries the failure as an outcome; it is rethrown below.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        return Outcome.FromException<HttpResponseMessage>(ex);
                    }
                },
                context,
                (self: this, request)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (outcome.Exception is { } failure)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                string target = request.RequestUri?.Host ?? "the server";
                switch (failure)
                {
                    case TimeoutRejectedException timeout:
                        throw new ProviderException(
                            string.Create(CultureInfo.InvariantCulture, $"{target} did not answer within {timeout.Timeout.TotalSeconds:0.###} s. Raise 'AttemptTimeout' or 'TotalTimeout' of the resilience handler if the calls are expected to take longer."),
                            request.RequestUri?.Host,
                            null,
                            LlmFailureKind.Timeout,
                            innerException: timeout);
                    case BrokenCircuitException broken:
                        throw new ProviderException(
                            string.Create(CultureInfo.InvariantCulture, $"Calls to {target} are not sent: the circuit breaker opened after repeated failures. It lets a trial call through after {_pipeline.BreakDuration.TotalSeconds:0.###} s."),
                            request.RequestUri?.Host,
                            null,
                            LlmFailureKind.Overloaded,
                            innerException: broken);
                }
            }

            ExceptionDispatchInfo.Throw(failure);
        }

        return outcome.Result!;
    }

    /// <summary>Not supported: the pipeline waits asynchronously. Use <see cref="HttpClient.SendAsync(HttpRequestMessage, CancellationToken)"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always.</exception>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        => throw new NotSupportedException("LlmKitResilienceHandler supports asynchronous sends only; use HttpClient.SendAsync.");

    private Task<HttpResponseMessage> SendAttemptAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => base.SendAsync(request, cancellationToken);
}
