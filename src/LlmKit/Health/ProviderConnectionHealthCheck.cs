using System.Globalization;
using LlmKit.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// The health of one provider connection: <see cref="HealthStatus.Unhealthy"/> (or the registration's failure status)
/// when its client cannot be created from the configuration or an optional live probe fails;
/// <see cref="HealthStatus.Degraded"/> when any enabled deployment on it has an open circuit breaker or is cooling down;
/// <see cref="HealthStatus.Healthy"/> otherwise. Descriptions and data name deployments and reasons, never keys.
/// </summary>
/// <remarks>
/// <c>services.AddHealthChecks().AddLlmKitChecks()</c> registers one instance per connection. The data holds
/// <c>connection</c>, <c>deployments</c> (the enabled deployments on the connection), <c>unavailableDeployments</c>, one
/// <c>deployment:{name}</c> entry per unavailable deployment with the reason, and with a live probe <c>probeModel</c>,
/// <c>probeResult</c> and <c>probedAt</c>. A failure's exception is attached to the result unless its message held a
/// secret that had to be masked.
/// </remarks>
public sealed class ProviderConnectionHealthCheck : IHealthCheck
{
    private const string ProbePrompt = "Reply with OK.";
    private readonly IServiceProvider _services;
    private readonly LlmKitHealthCheckOptions _options;
    private readonly TimeProvider _time;
    private ProbeOutcome? _lastProbe;

    /// <summary>Initializes a new instance for the connection <paramref name="connectionName"/>.</summary>
    /// <param name="services">The service provider that holds LlmKit's registrations (<c>AddLlmKit()</c>).</param>
    /// <param name="connectionName">The provider connection name.</param>
    /// <param name="options">The check's settings; <see langword="null"/> for the defaults of <see cref="LlmKitHealthCheckOptions"/> (no live probe).</param>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionName"/> is empty, or <paramref name="options"/> holds an invalid value.</exception>
    public ProviderConnectionHealthCheck(IServiceProvider services, string connectionName, LlmKitHealthCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        options ??= new LlmKitHealthCheckOptions();
        Validate(options, nameof(options));
        _services = services;
        _options = options;
        _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        ConnectionName = connectionName;
    }

    /// <summary>Gets the provider connection this check watches.</summary>
    public string ConnectionName { get; }

    /// <summary>Checks the connection.</summary>
    /// <param name="context">The health check context; its registration's failure status is reported for failures (default <see cref="HealthStatus.Unhealthy"/>).</param>
    /// <param name="cancellationToken">Cancels the check (and a live probe).</param>
    /// <returns>The connection's health.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var failureStatus = context.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["connection"] = ConnectionName };

        LlmKitOptions options;
        IChatClient client;
        RoutingState state;
        try
        {
            options = _services.GetRequiredService<IOptions<LlmKitOptions>>().Value;
            client = _services.GetRequiredService<ProviderClients>().Get(ConnectionName);
            state = _services.GetRequiredService<RoutingState>();
        }
#pragma warning disable CA1031 // Whatever stops the connection from being created is the finding this check reports.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            string raw = Describe(ex);
            string why = Mask(raw, TryGetSettings());
            return new HealthCheckResult(failureStatus, $"Provider connection '{ConnectionName}' cannot be created: {why}", Shown(ex, raw, why), data);
        }

        var settings = options.Providers.GetValueOrDefault(ConnectionName);
        var unavailable = new List<string>();
        int deployments = 0;
        foreach (var runtime in state.Runtimes.OrderBy(r => r.Deployment.Name, StringComparer.Ordinal))
        {
            if (!runtime.Enabled || !string.Equals(runtime.Deployment.Provider, ConnectionName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            deployments++;
            if (runtime.Unavailability() is { } reason)
            {
                data["deployment:" + runtime.Deployment.Name] = reason;
                unavailable.Add($"deployment '{runtime.Deployment.Name}': {reason}");
            }
        }

        data["deployments"] = deployments;
        data["unavailableDeployments"] = unavailable.Count;

        if (_options.LiveProbe)
        {
            var probe = await ProbeAsync(client, options, cancellationToken).ConfigureAwait(false);
            data["probeModel"] = probe.Model ?? "(the connection's default)";
            data["probeResult"] = probe.Failure is null ? "succeeded" : "failed";
            data["probedAt"] = probe.At.ToString("O", CultureInfo.InvariantCulture);
            if (probe.Failure is { } failure)
            {
                string raw = Describe(failure);
                string why = Mask(raw, settings);
                return new HealthCheckResult(
                    failureStatus,
                    $"The live probe of provider connection '{ConnectionName}' (model {probe.Model ?? "(default)"}) failed: {why}",
                    Shown(failure, raw, why),
                    data);
            }
        }

        if (unavailable.Count > 0)
        {
            return HealthCheckResult.Degraded(
                string.Create(CultureInfo.InvariantCulture, $"Provider connection '{ConnectionName}': {unavailable.Count} of {deployments} deployment(s) on it cannot take calls now: {string.Join("; ", unavailable)}."),
                data: data);
        }

        return HealthCheckResult.Healthy(
            string.Create(CultureInfo.InvariantCulture, $"Provider connection '{ConnectionName}' is configured{(_options.LiveProbe ? " and answered the live probe" : string.Empty)}; {deployments} deployment(s) on it take calls."),
            data);
    }

    internal static void Validate(LlmKitHealthCheckOptions options, string paramName)
    {
        if (options.LiveProbeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"LiveProbeTimeout must be positive; it is {options.LiveProbeTimeout}.", paramName);
        }

        if (options.LiveProbeInterval < TimeSpan.Zero)
        {
            throw new ArgumentException($"LiveProbeInterval cannot be negative; it is {options.LiveProbeInterval}.", paramName);
        }

        if (options.LiveProbeMaxOutputTokens < 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"LiveProbeMaxOutputTokens must be at least 1; it is {options.LiveProbeMaxOutputTokens}."), paramName);
        }
    }

    private async Task<ProbeOutcome> ProbeAsync(IChatClient client, LlmKitOptions options, CancellationToken cancellationToken)
    {
        var last = Volatile.Read(ref _lastProbe);
        if (last is not null && _time.GetElapsedTime(last.Timestamp) < _options.LiveProbeInterval)
        {
            return last;
        }

        string? model = FirstDeploymentModel(options);
        var at = _time.GetUtcNow();
        long started = _time.GetTimestamp();
        Exception? failure = null;
        using (var timeout = new CancellationTokenSource(_options.LiveProbeTimeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                await client.GetResponseAsync(
                    [new ChatMessage(ChatRole.User, ProbePrompt)],
                    new ChatOptions { ModelId = model, MaxOutputTokens = _options.LiveProbeMaxOutputTokens },
                    linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException ex) when (timeout.IsCancellationRequested)
            {
                failure = new ProviderException(
                    string.Create(CultureInfo.InvariantCulture, $"Provider connection '{ConnectionName}' did not answer the live probe within {_options.LiveProbeTimeout.TotalSeconds:0.###} s."),
                    ConnectionName,
                    null,
                    LlmFailureKind.Timeout,
                    innerException: ex);
            }
#pragma warning disable CA1031 // A failed probe is the finding this check reports.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ex;
            }
        }

        var outcome = new ProbeOutcome(started, at, model, failure);
        Volatile.Write(ref _lastProbe, outcome);
        return outcome;
    }

    private string? FirstDeploymentModel(LlmKitOptions options)
    {
        foreach (var model in options.Models.Values)
        {
            foreach (var deployment in model.Deployments)
            {
                if (deployment.Enabled && string.Equals(deployment.Provider, ConnectionName, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(deployment.Model))
                {
                    return deployment.Model;
                }
            }
        }

        return null;
    }

    private ProviderConnectionSettings? TryGetSettings()
    {
        try
        {
            return _services.GetService<IOptions<LlmKitOptions>>()?.Value.Providers.GetValueOrDefault(ConnectionName);
        }
#pragma warning disable CA1031 // Only used to mask secrets; invalid options were reported already.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private static string Describe(Exception exception) => exception is LlmKitException
        ? exception.Message
        : $"{exception.GetType().Name}: {exception.Message}";

    /// <summary>Hands the exception on only when its message held nothing to mask: health reports and their logs show it.</summary>
    private static Exception? Shown(Exception exception, string raw, string masked) => string.Equals(raw, masked, StringComparison.Ordinal) ? exception : null;

    /// <summary>Masks the connection's key and header values, and anything shaped like an API key.</summary>
    private static string Mask(string text, ProviderConnectionSettings? settings)
    {
        if (settings is not null)
        {
            foreach (string? secret in settings.Headers.Values.Prepend(settings.ApiKey))
            {
                if (!string.IsNullOrEmpty(secret) && secret.Length >= 8)
                {
                    text = text.Replace(secret, "[secret]", StringComparison.Ordinal);
                }
            }
        }

        return SecretMasker.Mask(text);
    }

    private sealed record ProbeOutcome(long Timestamp, DateTimeOffset At, string? Model, Exception? Failure);
}
