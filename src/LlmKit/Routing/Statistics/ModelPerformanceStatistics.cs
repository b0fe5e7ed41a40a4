namespace LlmKit;

/// <summary>
/// Performance statistics per deployment and per requested model, as the router and the metering stage see them: requests,
/// successes, failures by class, error rate, latency percentiles, time to first token, output tokens per second, cost,
/// calls in flight, circuit state and cooldown. The same numbers drive the least-busy and lowest-latency strategies.
/// Resolve it from the service provider.
/// </summary>
public sealed class ModelPerformanceStatistics
{
    private const int CostTargetSlots = 16;
    private readonly RoutingState _state;
    private readonly CostTargets?[] _costTargets = new CostTargets?[CostTargetSlots];

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

        // The router hands out one route object per deployment and requested model: remember where each one's cost goes.
        int slot = System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(route) & (CostTargetSlots - 1);
        var targets = Volatile.Read(ref _costTargets[slot]);
        if (targets is null || !ReferenceEquals(targets.Route, route))
        {
            targets = new CostTargets(
                route,
                _state.TryGetRuntime(route.Deployment.Name, out var runtime) ? runtime.Counters : null,
                route.LogicalModel is { } model ? _state.Model(model) : null);
            Volatile.Write(ref _costTargets[slot], targets);
        }

        targets.Deployment?.RecordCost(cost);
        targets.Model?.RecordCost(cost);
    }

    /// <summary>Where the cost of calls on one route is added.</summary>
    private sealed record CostTargets(ModelRoute Route, PerformanceCounters? Deployment, PerformanceCounters? Model);
}
