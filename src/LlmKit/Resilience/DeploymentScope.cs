namespace LlmKit;

/// <summary>
/// The deployment a provider call is made for, flowing with the call (an <see cref="AsyncLocal{T}"/> the router sets around
/// the provider client's call) down to the resilience handler of the provider's named <c>HttpClient</c>, which keeps one
/// pipeline (and one circuit) per deployment. The provider clients need not know about it.
/// </summary>
internal static class DeploymentScope
{
    private static readonly AsyncLocal<string?> Deployment = new();

    /// <summary>Gets the key (<c>connection/model</c>) of the deployment the current call is for, or <see langword="null"/> outside the router.</summary>
    public static string? Current => Deployment.Value;

    /// <summary>Sets the current deployment until the returned scope is disposed.</summary>
    public static Scope Enter(string key)
    {
        string? previous = Deployment.Value;
        Deployment.Value = key;
        return new Scope(previous);
    }

    /// <summary>Restores the previous deployment.</summary>
    internal readonly struct Scope(string? previous) : IDisposable
    {
        public void Dispose() => Deployment.Value = previous;
    }
}
