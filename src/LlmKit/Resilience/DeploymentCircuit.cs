using System.Globalization;
using Polly.CircuitBreaker;

namespace LlmKit;

/// <summary>
/// What the router knows of one deployment's circuit breaker, kept up to date by the breaker's own callbacks (the Polly.Core
/// breaker of a plain provider client, or the one in the resilience handler of a provider's named <c>HttpClient</c>).
/// </summary>
/// <remarks>
/// Polly moves an open circuit to half-open only when a call reaches it after the break; a router that skipped every
/// deployment whose breaker reports <see cref="CircuitState.Open"/> would never send that call, so the circuit would never
/// close. The router asks <see cref="Unavailability"/> instead, which turns the deployment available again once the break
/// is over: the next call is Polly's probe, whose success closes the circuit and whose failure opens it again.
/// </remarks>
internal sealed class DeploymentCircuit(string key, TimeProvider time)
{
    private readonly Lock _lock = new();
    private volatile int _state = (int)CircuitState.Closed;
    private long _openUntilTicks;

    /// <summary>Gets the deployment key, <c>connection/model</c>.</summary>
    public string Key { get; } = key;

    /// <summary>Gets the state the breaker last reported.</summary>
    public CircuitState State => (CircuitState)_state;

    /// <summary>Gets when the open circuit lets its probe through, or <see langword="null"/> when it is not open.</summary>
    public DateTimeOffset? RetryAt
    {
        get
        {
            if (_state != (int)CircuitState.Open)
            {
                return null;
            }

            long until = Volatile.Read(ref _openUntilTicks);
            return until == long.MaxValue ? DateTimeOffset.MaxValue : new DateTimeOffset(until, TimeSpan.Zero);
        }
    }

    /// <summary>Returns why the deployment cannot take a call now (its circuit is open and the break is not over), or <see langword="null"/>.</summary>
    public string? Unavailability()
    {
        if (_state != (int)CircuitState.Open && _state != (int)CircuitState.Isolated)
        {
            return null;
        }

        if (_state == (int)CircuitState.Isolated)
        {
            return "its circuit breaker is isolated by the host";
        }

        long until = Volatile.Read(ref _openUntilTicks);
        if (time.GetUtcNow().UtcTicks >= until)
        {
            // The break is over: let the probe through.
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture, $"its circuit breaker is open after repeated failures; a probe call is let through at {new DateTimeOffset(until, TimeSpan.Zero):O}");
    }

    /// <summary>Records that the breaker opened for <paramref name="breakDuration"/>.</summary>
    public void Opened(TimeSpan breakDuration)
    {
        lock (_lock)
        {
            long now = time.GetUtcNow().UtcTicks;
            Volatile.Write(ref _openUntilTicks, breakDuration.Ticks > long.MaxValue - now ? long.MaxValue : now + breakDuration.Ticks);
            _state = (int)CircuitState.Open;
        }
    }

    /// <summary>Records that the breaker let its probe through.</summary>
    public void HalfOpened() => _state = (int)CircuitState.HalfOpen;

    /// <summary>Records that the breaker closed.</summary>
    public void Closed() => _state = (int)CircuitState.Closed;

    /// <summary>Records that the breaker was isolated (opened by hand until closed by hand).</summary>
    public void Isolated() => _state = (int)CircuitState.Isolated;
}
