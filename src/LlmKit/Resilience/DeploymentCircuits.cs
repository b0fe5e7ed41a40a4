using System.Collections.Concurrent;

namespace LlmKit;

/// <summary>
/// The circuits of every deployment of one service provider, by deployment key (<c>connection/model</c>): written by the
/// breakers, read by the router.
/// </summary>
internal sealed class DeploymentCircuits(TimeProvider time)
{
    private const int MaxCircuits = 4096;
    private readonly ConcurrentDictionary<string, DeploymentCircuit> _circuits = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Returns the deployment key of a model on a provider connection.</summary>
    public static string KeyOf(string connection, string model) => connection + "/" + model;

    /// <summary>Returns the circuit of a deployment, creating it on first use.</summary>
    public DeploymentCircuit Get(string key)
    {
        if (_circuits.TryGetValue(key, out var circuit))
        {
            return circuit;
        }

        // Model ids come from callers: past the cap a circuit is still returned (and works) but is not kept here.
        return _circuits.Count >= MaxCircuits ? new DeploymentCircuit(key, time) : _circuits.GetOrAdd(key, static (k, t) => new DeploymentCircuit(k, t), time);
    }
}
