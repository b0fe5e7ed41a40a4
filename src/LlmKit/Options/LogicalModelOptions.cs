namespace LlmKit;

/// <summary>A logical model: a name that callers use, served by one or more deployments under a strategy, with fallbacks.</summary>
public sealed class LogicalModelOptions
{
    /// <summary>Gets or sets the deployments that can serve the model. At least one is required.</summary>
    public List<DeploymentOptions> Deployments { get; set; } = [];

    /// <summary>Gets or sets how a deployment is picked for each call. Defaults to <see cref="RoutingStrategy.Priority"/>.</summary>
    public RoutingStrategy Strategy { get; set; } = RoutingStrategy.Priority;

    /// <summary>
    /// Gets or sets, for <see cref="RoutingStrategy.LowestLatency"/>, how much slower than the fastest deployment a
    /// deployment may be and still share the traffic, as a fraction (0.2 = 20 % slower). Defaults to 0.2; 0 to 10.
    /// </summary>
    public double LatencyTolerance { get; set; } = 0.2;

    /// <summary>
    /// Gets or sets the logical models (or provider model ids) tried in order after every deployment of this model failed
    /// with a failure that may succeed elsewhere (rate limited, overloaded, server error, timeout, network). Defaults to none.
    /// </summary>
    public List<string> Fallbacks { get; set; } = [];

    /// <summary>
    /// Gets or sets the logical models (or provider model ids) tried when the prompt is too long for a deployment, after the
    /// model's own deployments and fallbacks with a larger context window. Defaults to none.
    /// </summary>
    public List<string> ContextWindowFallbacks { get; set; } = [];

    /// <summary>
    /// Gets or sets the logical models (or provider model ids) tried, in order, when a deployment refuses the content for
    /// policy reasons. Without them a refusal is thrown to the caller. Defaults to none.
    /// </summary>
    public List<string> ContentPolicyFallbacks { get; set; } = [];
}
