namespace LlmKit;

/// <summary>A logical model: a name that callers use, served by one or more deployments.</summary>
public sealed class LogicalModelOptions
{
    /// <summary>Gets or sets the deployments that can serve the model. At least one is required.</summary>
    public List<DeploymentOptions> Deployments { get; set; } = [];
}
