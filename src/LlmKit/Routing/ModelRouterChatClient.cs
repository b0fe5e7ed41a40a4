using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// The innermost client of the pipeline: resolves the requested model (a logical model such as
/// <c>smart</c>, or a provider's model id) to a deployment and sends the call to that deployment's
/// provider client, with the provider's model name.
/// </summary>
/// <remarks>
/// A logical model is served by its active deployment with the lowest priority value. A model id that
/// is not a logical model goes to the default provider connection unchanged.
/// </remarks>
public sealed class ModelRouterChatClient : IChatClient
{
    private const int MaxCachedDirectModels = 1024;

    private readonly ProviderClients _providers;
    private readonly Dictionary<string, ModelDeployment[]> _logicalModels;
    private readonly ConcurrentDictionary<string, ModelDeployment> _directModels = new(StringComparer.Ordinal);
    private readonly string? _defaultProvider;
    private readonly string? _boundModel;

    internal ModelRouterChatClient(LlmKitOptions options, ProviderClients providers, string? boundModel)
    {
        _providers = providers;
        _boundModel = boundModel ?? options.DefaultModel;
        _logicalModels = new Dictionary<string, ModelDeployment[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, model) in options.Models)
        {
            _logicalModels[name] = model.Deployments
                .Select(d => d.ToDeployment())
                .OrderBy(d => d.Priority)
                .ToArray();
        }

        _defaultProvider = !string.IsNullOrWhiteSpace(options.DefaultProvider)
            ? options.DefaultProvider
            : providers.Names.Count == 1 ? providers.Names.First() : null;
    }

    /// <summary>Gets the model used when a call's options name none, or <see langword="null"/>.</summary>
    public string? DefaultModel => _boundModel;

    /// <summary>Gets the names of the logical models this router knows.</summary>
    public IReadOnlyCollection<string> LogicalModels => _logicalModels.Keys;

    /// <summary>
    /// Resolves a model to the deployment that will serve it.
    /// </summary>
    /// <param name="model">A logical model or a provider model id; <see langword="null"/> uses <see cref="DefaultModel"/>.</param>
    /// <returns>The deployment.</returns>
    /// <exception cref="LlmKitConfigurationException">No model was named and there is no default.</exception>
    /// <exception cref="ModelNotFoundException">The model is not a logical model and no default provider can serve it.</exception>
    public ModelDeployment Resolve(string? model)
    {
        model ??= _boundModel;
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new LlmKitConfigurationException(
                "The call names no model and no default model is configured. Set ChatOptions.ModelId, resolve a keyed IChatClient for a logical model, or set 'LlmKit:DefaultModel'.",
                ["LlmKit:DefaultModel"]);
        }

        if (_logicalModels.TryGetValue(model, out var deployments))
        {
            return deployments[0];
        }

        if (_directModels.TryGetValue(model, out var direct))
        {
            return direct;
        }

        if (_defaultProvider is null)
        {
            string known = _logicalModels.Count == 0 ? "(none)" : string.Join(", ", _logicalModels.Keys);
            throw new ModelNotFoundException(
                model,
                $"Model '{model}' is not a logical model (known: {known}) and there is no default provider to send it to ({_providers.Names.Count} provider connections are registered). Define it under 'LlmKit:Models:{model}' or set 'LlmKit:DefaultProvider'.",
                null);
        }

        var deployment = new ModelDeployment { Name = $"{_defaultProvider}/{model}", Provider = _defaultProvider, Model = model };
        if (_directModels.Count < MaxCachedDirectModels)
        {
            _directModels.TryAdd(model, deployment);
        }

        return deployment;
    }

    /// <inheritdoc/>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string? requested = options?.ModelId ?? _boundModel;
        var deployment = Resolve(requested);
        var client = _providers.Get(deployment.Provider);
        var task = client.GetResponseAsync(messages, WithModel(options, deployment.Model), cancellationToken);
        if (task.IsCompletedSuccessfully)
        {
            // Already answered (a cache or a fake): annotate and hand back the same task, no state machine.
            SetRoute(task.Result, requested, deployment);
            return task;
        }

        return AwaitAndSetRouteAsync(task, requested, deployment);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string? requested = options?.ModelId ?? _boundModel;
        var deployment = Resolve(requested);
        var client = _providers.Get(deployment.Provider);
        return Annotate(client.GetStreamingResponseAsync(messages, WithModel(options, deployment.Model), cancellationToken), deployment, requested, cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        ModelDeployment deployment;
        IChatClient client;
        try
        {
            deployment = Resolve(null);
            client = _providers.Get(deployment.Provider);
        }
        catch (LlmKitException)
        {
            return null;
        }

        if (serviceKey is null && serviceType == typeof(ChatClientMetadata))
        {
            var inner = client.GetService<ChatClientMetadata>();
            return new ChatClientMetadata(inner?.ProviderName ?? deployment.Provider, inner?.ProviderUri, _boundModel);
        }

        var fromProvider = client.GetService(serviceType, serviceKey);
        if (fromProvider is null && serviceKey is null && (serviceType == typeof(ITokenCounter) || serviceType == typeof(ITokenizer) || serviceType == typeof(TiktokenTokenizer)))
        {
            // Providers that have no tokenizer of their own: OpenAI-family models count exactly with tiktoken.
            return TiktokenTokenizer.ForModel(deployment.Model);
        }

        return fromProvider;
    }

    /// <summary>Does nothing: provider clients are owned by LlmKit's service registrations and disposed with them.</summary>
    public void Dispose()
    {
    }

    private static void SetRoute(ChatResponse response, string? requested, ModelDeployment deployment)
        => (response.AdditionalProperties ??= [])[LlmKitResponseProperties.Route] = new ModelRoute(requested, deployment);

    private static async Task<ChatResponse> AwaitAndSetRouteAsync(Task<ChatResponse> task, string? requested, ModelDeployment deployment)
    {
        var response = await task.ConfigureAwait(false);
        SetRoute(response, requested, deployment);
        return response;
    }

    private static ChatOptions WithModel(ChatOptions? options, string model)
    {
        if (options is null)
        {
            return new ChatOptions { ModelId = model };
        }

        if (string.Equals(options.ModelId, model, StringComparison.Ordinal))
        {
            return options;
        }

        var clone = options.Clone();
        clone.ModelId = model;
        return clone;
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Annotate(
        IAsyncEnumerable<ChatResponseUpdate> updates,
        ModelDeployment deployment,
        string? requested,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        bool first = true;
        await foreach (var update in updates.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (first)
            {
                first = false;
                (update.AdditionalProperties ??= [])[LlmKitResponseProperties.Route] = new ModelRoute(requested, deployment);
            }

            yield return update;
        }
    }
}
