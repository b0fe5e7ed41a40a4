using System.Globalization;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace LlmKit;

/// <summary>
/// Sits outside a resilience handler added by <c>AddLlmKitResilienceHandler</c> and turns the resilience library's own
/// exceptions into LlmKit's: a time-out into a <see cref="ProviderException"/> of kind <see cref="LlmFailureKind.Timeout"/>,
/// an open circuit into one of kind <see cref="LlmFailureKind.Overloaded"/> that says when a probe is let through, a full
/// concurrency limiter into a client-side <see cref="RateLimitedException"/>. The host name is the only part of the
/// request that is quoted (never its path, query or user info). It also buffers the request content before the first
/// attempt, since a retry sends the same request again and a host's content may be readable only once.
/// </summary>
internal sealed class ResilienceExceptionHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            if (request.Content is { } content)
            {
                await content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutRejectedException or BrokenCircuitException or RateLimiterRejectedException && !cancellationToken.IsCancellationRequested)
        {
            string target = request.RequestUri?.Host ?? "the server";
            throw ex switch
            {
                TimeoutRejectedException timeout => new ProviderException(
                    string.Create(CultureInfo.InvariantCulture, $"{target} did not answer within {timeout.Timeout.TotalSeconds:0.###} s. Raise 'AttemptTimeout' or 'TotalTimeout' of the resilience handler if the calls are expected to take longer."),
                    target,
                    null,
                    LlmFailureKind.Timeout,
                    innerException: timeout),
                BrokenCircuitException broken => new ProviderException(
                    broken.RetryAfter is { } after
                        ? string.Create(CultureInfo.InvariantCulture, $"Calls to {target} are not sent: the circuit breaker opened after repeated failures. It lets a probe call through in {after.TotalSeconds:0.###} s.")
                        : $"Calls to {target} are not sent: the circuit breaker is open after repeated failures, or its probe call is still running.",
                    target,
                    null,
                    LlmFailureKind.Overloaded,
                    innerException: broken),
                _ => new RateLimitedException(
                    $"Calls to {target} are not sent: 'MaxConcurrentRequests' requests are already in flight (a client-side limit). Wait and try again, or raise the limit.",
                    target,
                    ((RateLimiterRejectedException)ex).RetryAfter,
                    statusCode: null,
                    providerErrorCode: DeploymentRuntime.ClientRateLimitCode),
            };
        }
    }
}
