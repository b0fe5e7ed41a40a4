using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// The deployments' live state, one per service provider and shared by every router (the default client and the keyed
/// ones): configured deployments are built at start, deployments for provider model ids on first use.
/// </summary>
internal sealed class RoutingState : IDisposable
{
    private const int MaxDirectDeployments = 1024;
    private readonly ConcurrentDictionary<string, DeploymentRuntime> _runtimes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, PerformanceCounters> _models = new(StringComparer.OrdinalIgnoreCase);
    private readonly LlmKitOptions _options;

    private readonly DeploymentCircuits _circuits;
    private readonly ProviderClients _providers;
    private readonly ILogger _logger;

    public RoutingState(IOptions<LlmKitOptions> options, TimeProvider time, IModelRegistry registry, DeploymentCircuits circuits, ProviderClients providers, ILoggerFactory? loggerFactory = null)
    {
        _options = options.Value;
        _circuits = circuits;
        _providers = providers;
        _logger = loggerFactory?.CreateLogger(ResilienceLog.Category) ?? NullLogger.Instance;
        Statistics = new ModelPerformanceStatistics(this);
        Time = time;
        Registry = registry;
        foreach (var model in _options.Models.Values)
        {
            foreach (var deployment in model.Deployments)
            {
                var d = deployment.ToDeployment();
                _runtimes.GetOrAdd(d.Name, _ => new DeploymentRuntime(
                    d,
                    deployment.Enabled,
                    deployment.MaxConcurrency,
                    _options.ResilienceFor(deployment.Resilience, d.Provider),
                    deployment.Cooldown ?? _options.Cooldown,
                    time,
                    circuits,
                    providers.SendsHttp(d.Provider),
                    _logger));
            }
        }
    }

    public TimeProvider Time { get; }

    /// <summary>Gets the logger of routing and resilience events.</summary>
    public ILogger Logger => _logger;

    /// <summary>Gets the public view of these deployments' statistics (one per service provider).</summary>
    public ModelPerformanceStatistics Statistics { get; }

    public IModelRegistry Registry { get; }

    public IEnumerable<DeploymentRuntime> Runtimes => _runtimes.Values;

    /// <summary>Returns the runtime of a configured deployment.</summary>
    public DeploymentRuntime Get(string deploymentName) => _runtimes[deploymentName];

    /// <summary>Returns the runtime for a provider model id sent straight to a connection, creating it on first use.</summary>
    public DeploymentRuntime GetDirect(string provider, string model)
    {
        string name = $"{provider}/{model}";
        if (_runtimes.TryGetValue(name, out var runtime))
        {
            return runtime;
        }

        var created = new DeploymentRuntime(new ModelDeployment { Name = name, Provider = provider, Model = model }, true, null, _options.ResilienceFor(null, provider), _options.Cooldown, Time, _circuits, _providers.SendsHttp(provider), _logger);
        if (_runtimes.Count >= MaxDirectDeployments + _options.Models.Count)
        {
            // Unbounded model ids from callers must not grow this map forever: serve without keeping state.
            return created;
        }

        return _runtimes.GetOrAdd(name, created);
    }

    /// <summary>Returns the counters of a requested model name (logical model or provider model id).</summary>
    public PerformanceCounters Model(string name)
    {
        if (_models.TryGetValue(name, out var counters))
        {
            return counters;
        }

        return _models.Count >= MaxDirectDeployments + _options.Models.Count
            ? new PerformanceCounters(name)
            : _models.GetOrAdd(name, static n => new PerformanceCounters(n));
    }

    public IEnumerable<PerformanceCounters> Models => _models.Values;

    public bool TryGetRuntime(string deploymentName, out DeploymentRuntime runtime) => _runtimes.TryGetValue(deploymentName, out runtime!);

    public void Dispose()
    {
        foreach (var runtime in _runtimes.Values)
        {
            runtime.Dispose();
        }
    }
}
