using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// The ordered, named stages of LlmKit's <see cref="IChatClient"/> pipeline, outermost first. Each stage
/// wraps the stages after it; the innermost wraps the router, which sends the call to a provider.
/// Stages can be added, removed, replaced and reordered before the pipeline is first resolved.
/// </summary>
/// <remarks>Not thread-safe: configure it during start-up, inside <c>AddLlmKit()</c>.</remarks>
public sealed class ChatPipelineBuilder
{
    private readonly List<Stage> _stages = [];

    /// <summary>Gets the stage names, outermost first.</summary>
    public IReadOnlyList<string> StageNames => _stages.ConvertAll(s => s.Name);

    /// <summary>Returns whether a stage with the given name is present.</summary>
    /// <param name="name">The stage name.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>Adds a stage innermost (closest to the router).</summary>
    /// <param name="name">The stage name, unique in the pipeline.</param>
    /// <param name="factory">Wraps the inner client in the stage.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="LlmKitConfigurationException">A stage with that name exists.</exception>
    public ChatPipelineBuilder Add(string name, Func<IServiceProvider, IChatClient, IChatClient> factory)
        => InsertAt(_stages.Count, name, factory);

    /// <summary>Adds a stage outermost (the first to see a call).</summary>
    /// <param name="name">The stage name, unique in the pipeline.</param>
    /// <param name="factory">Wraps the inner client in the stage.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="LlmKitConfigurationException">A stage with that name exists.</exception>
    public ChatPipelineBuilder AddFirst(string name, Func<IServiceProvider, IChatClient, IChatClient> factory)
        => InsertAt(0, name, factory);

    /// <summary>Adds a stage just outside (before) an existing one.</summary>
    /// <param name="existing">The name of the existing stage.</param>
    /// <param name="name">The new stage's name.</param>
    /// <param name="factory">Wraps the inner client in the stage.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="LlmKitConfigurationException"><paramref name="existing"/> is not in the pipeline, or <paramref name="name"/> already is.</exception>
    public ChatPipelineBuilder InsertBefore(string existing, string name, Func<IServiceProvider, IChatClient, IChatClient> factory)
        => InsertAt(RequireIndex(existing), name, factory);

    /// <summary>Adds a stage just inside (after) an existing one.</summary>
    /// <param name="existing">The name of the existing stage.</param>
    /// <param name="name">The new stage's name.</param>
    /// <param name="factory">Wraps the inner client in the stage.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="LlmKitConfigurationException"><paramref name="existing"/> is not in the pipeline, or <paramref name="name"/> already is.</exception>
    public ChatPipelineBuilder InsertAfter(string existing, string name, Func<IServiceProvider, IChatClient, IChatClient> factory)
        => InsertAt(RequireIndex(existing) + 1, name, factory);

    /// <summary>Replaces the factory of an existing stage, keeping its position.</summary>
    /// <param name="name">The stage name.</param>
    /// <param name="factory">The new factory.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="LlmKitConfigurationException">No stage has that name.</exception>
    public ChatPipelineBuilder Replace(string name, Func<IServiceProvider, IChatClient, IChatClient> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _stages[RequireIndex(name)] = new Stage(name, factory);
        return this;
    }

    /// <summary>Removes a stage.</summary>
    /// <param name="name">The stage name.</param>
    /// <returns><see langword="true"/> when the stage was present.</returns>
    public bool Remove(string name)
    {
        int index = IndexOf(name);
        if (index < 0)
        {
            return false;
        }

        _stages.RemoveAt(index);
        return true;
    }

    /// <summary>Moves an existing stage to just outside (before) another one.</summary>
    /// <param name="name">The stage to move.</param>
    /// <param name="before">The stage it should precede.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="LlmKitConfigurationException">Either stage is not in the pipeline.</exception>
    public ChatPipelineBuilder MoveBefore(string name, string before)
    {
        var stage = _stages[RequireIndex(name)];
        _ = RequireIndex(before);
        _stages.Remove(stage);
        _stages.Insert(RequireIndex(before), stage);
        return this;
    }

    /// <summary>Builds the pipeline around <paramref name="innerClient"/>, outermost stage returned.</summary>
    /// <param name="innerClient">The innermost client (normally the router).</param>
    /// <param name="services">The services the stage factories resolve from.</param>
    /// <returns>The outermost client.</returns>
    /// <exception cref="LlmKitConfigurationException">A stage factory returned <see langword="null"/>.</exception>
    public IChatClient Build(IChatClient innerClient, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(innerClient);
        ArgumentNullException.ThrowIfNull(services);
        IChatClient client = innerClient;
        for (int i = _stages.Count - 1; i >= 0; i--)
        {
            client = _stages[i].Factory(services, client)
                ?? throw new LlmKitConfigurationException($"The factory of pipeline stage '{_stages[i].Name}' returned null. A stage factory must return a client that wraps the inner client it is given.");
        }

        return client;
    }

    private ChatPipelineBuilder InsertAt(int index, string name, Func<IServiceProvider, IChatClient, IChatClient> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (IndexOf(name) >= 0)
        {
            throw new LlmKitConfigurationException($"The pipeline already has a stage named '{name}'. Use Replace(\"{name}\", ...) to change it, or choose another name.");
        }

        _stages.Insert(index, new Stage(name, factory));
        return this;
    }

    private int IndexOf(string name) => _stages.FindIndex(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    private int RequireIndex(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        int index = IndexOf(name);
        return index >= 0
            ? index
            : throw new LlmKitConfigurationException($"The pipeline has no stage named '{name}'. Its stages are: {(_stages.Count == 0 ? "(none)" : string.Join(", ", StageNames))}.");
    }

    private sealed record Stage(string Name, Func<IServiceProvider, IChatClient, IChatClient> Factory);
}
