namespace LlmKit;

/// <summary>
/// Performance statistics per deployment and per requested model, as the router and the metering stage see them: requests,
/// successes, failures by class, error rate, latency percentiles, time to first token, output tokens per second, cost,
/// calls in flight, circuit state and cooldown. The same numbers drive the least-busy and lowest-latency strategies.
/// Resolve it from the service provider.
/// </summary>
public sealed class ModelPerformanceStatistics
{
    private readonly RoutingState _state;

    internal ModelPerformanceStatistics(RoutingState state) => _state = state;

    /// <summary>Takes a snapshot of every deployment and requested model.</summary>
    /// <returns>The snapshot, deployments and models ordered by name.</returns>
    public PerformanceStatisticsSnapshot GetSnapshot() => new()
    {
        TakenAt = _state.Time.GetUtcNow(),
        Deployments = _state.Runtimes.Select(r => r.Snapshot()).OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToArray(),
        Models = _state.Models.Select(m => m.Snapshot(0, null, null, null, null)).OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToArray(),
    };

    /// <summary>Adds a priced call to the deployment and model that served it (the metering stage calls this).</summary>
    /// <param name="route">The route of the call, or <see langword="null"/> when it was not routed.</param>
    /// <param name="cost">The call's cost.</param>
    public void RecordCost(ModelRoute? route, CallCost cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        if (route is null)
        {
            return;
        }

        if (_state.TryGetRuntime(route.Deployment.Name, out var runtime))
        {
            runtime.Counters.RecordCost(cost);
        }

        if (route.LogicalModel is { } model)
        {
            _state.Model(model).RecordCost(cost);
        }
    }
}
