namespace LlmKit;

/// <summary>
/// Which deployment served a call: set by the router on the response (and on the first update of a stream)
/// under <see cref="LlmKitResponseProperties.Route"/> (see there for when). Read it with
/// <see cref="LlmKitResponseProperties.TryGetRoute"/>. Immutable: the router hands the same instance to every call that
/// asked for the same model and was served by the same deployment.
/// </summary>
/// <param name="LogicalModel">The logical model or model id the caller asked for, or <see langword="null"/>.</param>
/// <param name="Deployment">The deployment that served the call.</param>
public sealed record ModelRoute(string? LogicalModel, ModelDeployment Deployment)
{
    /// <summary>Gets the provider connection that served the call.</summary>
    public string Provider => Deployment.Provider;

    /// <summary>Gets the model name the deployment sent to its provider.</summary>
    public string ProviderModel => Deployment.Model;
}
