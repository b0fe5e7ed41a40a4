using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// Creates each provider connection's <see cref="IChatClient"/> once, lazily, and owns it: the clients
/// are disposed with the service provider, never by a pipeline.
/// </summary>
internal sealed class ProviderClients : IDisposable
{
    private readonly IServiceProvider _services;
    private readonly Dictionary<string, Func<IServiceProvider, IChatClient>> _factories = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _sendsHttp = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Lazy<IChatClient>> _clients = new(StringComparer.OrdinalIgnoreCase);
    private bool _disposed;

    public ProviderClients(
        IServiceProvider services,
        IOptions<LlmKitOptions> options,
        IEnumerable<ProviderRegistration> registrations,
        IEnumerable<ProviderTypeRegistration> types)
    {
        _services = services;
        foreach (var registration in registrations)
        {
            _factories[registration.Name] = registration.Factory;
            if (registration.HttpClientName is not null)
            {
                _sendsHttp.Add(registration.Name);
            }
        }

        var typeFactories = new Dictionary<string, ProviderTypeRegistration>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in types)
        {
            typeFactories[type.TypeName] = type;
        }

        foreach (var (name, settings) in options.Value.Providers)
        {
            // The validator has already checked that the type is registered.
            if (typeFactories.TryGetValue(settings.Type, out var type))
            {
                settings.Name = name;
                _factories[name] = sp => type.Factory(sp, settings);
                if (type.HttpClientName is not null)
                {
                    _sendsHttp.Add(name);
                }
                else
                {
                    _sendsHttp.Remove(name);
                }
            }
        }
    }

    /// <summary>Gets the names of every provider connection.</summary>
    public IReadOnlyCollection<string> Names => _factories.Keys;

    /// <summary>
    /// Returns whether a connection sends HTTP through a named client that carries LlmKit's resilience handler (so the
    /// router adds no retry or breaker of its own around it).
    /// </summary>
    public bool SendsHttp(string name) => _sendsHttp.Contains(name);

    /// <summary>Returns whether a connection with that name exists.</summary>
    public bool Contains(string name) => _factories.ContainsKey(name);

    /// <summary>Returns the client of a connection, creating it on first use.</summary>
    /// <remarks>A factory that throws is tried again on the next call (its exception is not kept).</remarks>
    public IChatClient Get(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _clients.TryGetValue(name, out var existing) && existing.IsValueCreated ? existing.Value : Create(name);
    }

    private IChatClient Create(string name)
    {
        if (!_factories.TryGetValue(name, out var factory))
        {
            throw new LlmKitConfigurationException(
                $"No provider connection named '{name}' is registered. Registered connections: {(_factories.Count == 0 ? "(none)" : string.Join(", ", _factories.Keys))}. Add it under 'LlmKit:Providers:{name}' or with kit.AddProvider(\"{name}\", ...).",
                [$"LlmKit:Providers:{name}"]);
        }

        var lazy = _clients.GetOrAdd(name, _ => new Lazy<IChatClient>(() => factory(_services) ?? throw new LlmKitConfigurationException($"The factory of provider connection '{name}' returned null."), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // The Lazy keeps its factory's exception: drop it so that the next call (a health check, a later request)
            // tries to create the client again, for example once a secret store is reachable.
            _clients.TryRemove(new KeyValuePair<string, Lazy<IChatClient>>(name, lazy));
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var lazy in _clients.Values)
        {
            if (lazy.IsValueCreated)
            {
                lazy.Value.Dispose();
            }
        }
    }
}
