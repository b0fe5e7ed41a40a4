namespace LlmKit;

/// <summary>How a logical model picks among its deployments for each call.</summary>
public enum RoutingStrategy
{
    /// <summary>The available deployment with the lowest <see cref="DeploymentOptions.Priority"/> first, then the next. The default.</summary>
    Priority = 0,

    /// <summary>Random, in proportion to <see cref="DeploymentOptions.Weight"/>, among the deployments of the best available priority.</summary>
    WeightedRandom,

    /// <summary>The deployment with the fewest calls in flight; ties go to the lower priority.</summary>
    LeastBusy,

    /// <summary>
    /// The deployment with the lowest moving-average latency; deployments within
    /// <see cref="LogicalModelOptions.LatencyTolerance"/> of the fastest share the traffic by weight. Deployments with no
    /// measurement yet are tried first so that every deployment gets measured.
    /// </summary>
    LowestLatency,

    /// <summary>The deployment whose model has the lowest price per call (input plus output per million tokens, from the registry); unknown prices last.</summary>
    LowestCost,
}
