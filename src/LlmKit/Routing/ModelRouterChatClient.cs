using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// The innermost client of the pipeline: resolves the requested model (a logical model such as <c>smart</c>, or a
/// provider's model id) to its deployments, picks one by the model's <see cref="RoutingStrategy"/>, runs the call through
/// that deployment's client-side rate limits and resilience pipeline, and falls back on classified failures.
/// </summary>
/// <remarks>
/// <para>Fallback: rate limited, quota exhausted, overloaded, server error, timeout and network failures, and retryable
/// malformed answers (<see cref="ProviderResponseFormatException"/>), go to the next deployment, then to the model's <see cref="LogicalModelOptions.Fallbacks"/>; a prompt too long for a deployment goes only
/// to deployments whose model has a larger context window (then <see cref="LogicalModelOptions.ContextWindowFallbacks"/>);
/// a content-policy refusal goes only to <see cref="LogicalModelOptions.ContentPolicyFallbacks"/>; authentication failures,
/// bad requests and caller cancellations are thrown at once. A stream falls back only before its first update has reached
/// the caller.</para>
/// <para>Deployments that fail cool down (see <see cref="DeploymentCooldownOptions"/>) and are skipped until the cooldown
/// ends. Calls that name a model that is not a logical model go unchanged to the default provider connection.</para>
/// </remarks>
public sealed class ModelRouterChatClient : IChatClient
{
    private const int MaxCachedDirectModels = 1024;

    private readonly ProviderClients _providers;
    private readonly RoutingState _state;
    private readonly Dictionary<string, ModelPlan> _plans;
    private readonly ConcurrentDictionary<string, ModelPlan> _directPlans = new(StringComparer.Ordinal);
    private readonly string? _defaultProvider;
    private readonly string? _boundModel;
    private readonly TokenCounterRegistry? _tokenizers;
    private bool _annotateRoutes;

    internal ModelRouterChatClient(LlmKitOptions options, ProviderClients providers, RoutingState state, string? boundModel, TokenCounterRegistry? tokenizers = null)
    {
        _tokenizers = tokenizers;
        _providers = providers;
        _state = state;
        _boundModel = boundModel ?? options.DefaultModel;
        _annotateRoutes = options.AnnotateRoutes;
        _plans = new Dictionary<string, ModelPlan>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, model) in options.Models)
        {
            var runtimes = model.Deployments
                .Select(d => state.Get(d.ToDeployment().Name))
                .OrderBy(r => r.Deployment.Priority)
                .ToArray();
            _plans[name] = new ModelPlan(name, runtimes, model.Strategy, model.LatencyTolerance, [.. model.Fallbacks], [.. model.ContextWindowFallbacks], [.. model.ContentPolicyFallbacks]);
        }

        _defaultProvider = !string.IsNullOrWhiteSpace(options.DefaultProvider)
            ? options.DefaultProvider
            : providers.Names.Count == 1 ? providers.Names.First() : null;
    }

    /// <summary>Gets the model used when a call's options name none, or <see langword="null"/>.</summary>
    public string? DefaultModel => _boundModel;

    /// <summary>
    /// Gets a value indicating whether this router sets the <see cref="ModelRoute"/> of each call on its response (and on the
    /// first update of a stream) under <see cref="LlmKitResponseProperties.Route"/>: when <see cref="LlmKitOptions.AnnotateRoutes"/>
    /// is set, or the pipeline around the router has a stage that reads the route (telemetry, budgets, metering).
    /// </summary>
    public bool AnnotatesRoutes => _annotateRoutes;

    /// <summary>Gets the names of the logical models this router knows.</summary>
    public IReadOnlyCollection<string> LogicalModels => _plans.Keys;

    /// <summary>
    /// Returns the deployment the next call for <paramref name="model"/> would try first (by the model's strategy, skipping
    /// deployments that are disabled, cooling down or whose circuit is open).
    /// </summary>
    /// <param name="model">A logical model or a provider model id; <see langword="null"/> uses <see cref="DefaultModel"/>.</param>
    /// <returns>The deployment.</returns>
    /// <exception cref="LlmKitConfigurationException">No model was named and there is no default.</exception>
    /// <exception cref="ModelNotFoundException">The model is unknown and no default provider can serve it, or none of its deployments is available (the exception lists why for each).</exception>
    /// <exception cref="RateLimitedException">Every deployment of the model is cooling down after rate limits.</exception>
    /// <exception cref="ModelUnavailableException">Every deployment of the model is temporarily out: its circuit is open or it is cooling down (the exception says when the first is tried again).</exception>
    public ModelDeployment Resolve(string? model)
    {
        var plan = PlanFor(model);
        Dictionary<string, string>? rejections = null;
        return Next(plan, null, default, ref rejections)?.Deployment ?? throw Exhausted(plan, null, rejections);
    }

    /// <inheritdoc/>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string? requested = options?.ModelId ?? _boundModel;
        var plan = PlanFor(requested);
        return Route(plan, requested, messages, options, cancellationToken);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string? requested = options?.ModelId ?? _boundModel;
        var plan = PlanFor(requested);
        return StreamAsync(plan, requested, messages, options, cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        if (serviceKey is null && serviceType == typeof(ModelPerformanceStatistics))
        {
            return _state.Statistics;
        }

        ModelDeployment deployment;
        IChatClient client;
        try
        {
            deployment = PlanFor(null).Runtimes[0].Deployment;
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
        if (fromProvider is null && serviceKey is null)
        {
            if (serviceType == typeof(ITokenCounter))
            {
                return TokenCounterFor(deployment);
            }

            if (serviceType == typeof(ITokenizer) && _tokenizers is not null && _tokenizers.TryGet(deployment.Model, out var registered))
            {
                return registered as ITokenizer;
            }

            if (serviceType == typeof(ITokenizer) || serviceType == typeof(TiktokenTokenizer))
            {
                // Providers that have no tokenizer of their own: OpenAI-family models count exactly with tiktoken.
                return TiktokenTokenizer.ForModel(deployment.Model);
            }
        }

        return fromProvider;
    }

    /// <summary>
    /// The token counter of a deployment's model: the one the host registered for it (<see cref="TokenCounterRegistry"/>),
    /// else the provider client's own, else exact tiktoken for OpenAI models, else
    /// a <see cref="CalibratedTokenCounter"/> estimate for the model's provider (from the registry, or guessed from its id).
    /// </summary>
    internal ITokenCounter TokenCounterFor(ModelDeployment deployment)
    {
        if (_tokenizers is not null && _tokenizers.TryGet(deployment.Model, out var registered))
        {
            return registered;
        }

        if (_providers.Get(deployment.Provider).GetService(typeof(ITokenCounter)) is ITokenCounter own)
        {
            return own;
        }

        return (ITokenCounter?)TiktokenTokenizer.ForModel(deployment.Model)
            ?? CalibratedTokenCounter.ForProvider(_state.Registry.TryGet(deployment.Model, out var model) ? model.Provider : CalibratedTokenCounter.FamilyOf(deployment.Model));
    }

    /// <summary>The provider's exact count endpoint for a deployment, or <see langword="null"/> when it has none.</summary>
    internal IExactTokenCounter? ExactTokenCounterFor(ModelDeployment deployment)
        => _providers.Get(deployment.Provider).GetService(typeof(IExactTokenCounter)) as IExactTokenCounter;

    /// <summary>The registry entry of a deployment's model, or <see langword="null"/>.</summary>
    internal ModelDescriptor? DescriptorFor(ModelDeployment deployment)
        => _state.Registry.TryGet(deployment.Model, out var model) ? model : null;

    /// <summary>Does nothing: provider clients are owned by LlmKit's service registrations and disposed with them.</summary>
    public void Dispose()
    {
    }

    /// <summary>Makes the router set the route on every response (called while the pipeline is built, before any call).</summary>
    internal void AnnotateRoutes() => _annotateRoutes = true;

    /// <summary>Checks that a model can be routed (used when a keyed client is resolved).</summary>
    internal void EnsureRoutable(string model) => PlanFor(model);

    /// <summary>
    /// Routes a non-streaming call. The first attempt runs without an asynchronous state machine: when the deployment answers
    /// at once and successfully, the provider's own (completed) task is handed back.
    /// </summary>
    private Task<ChatResponse> Route(ModelPlan plan, string? requested, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var needs = RequestNeeds.Of(messages, options);
        Dictionary<string, string>? rejections = null;
        var runtime = Next(plan, null, needs, ref rejections);
        if (runtime is null)
        {
            return RouteAsync(plan, requested, messages, options, needs, rejections, null, cancellationToken);
        }

        IChatClient client;
        try
        {
            client = _providers.Get(runtime.Deployment.Provider);
        }
#pragma warning disable CA1031 // Handed back as the task's failure, as an asynchronous method would.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Task.FromException<ChatResponse>(ex);
        }

        var callOptions = WithModel(options, runtime);
        long started = _state.Time.GetTimestamp();
        DeploymentRuntime.Leases leases;
        try
        {
            leases = runtime.Acquire(messages, callOptions);
        }
        catch (RateLimitedException)
        {
            // The deployment is at its client-side limit: the general path skips it and tries the others.
            return RouteAsync(plan, requested, messages, options, needs, rejections, null, cancellationToken);
        }

        Task<ChatResponse> call;
        try
        {
            call = runtime.ExecuteAsync(client, messages, callOptions, cancellationToken);
        }
#pragma warning disable CA1031 // Classified by the general path.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            call = Task.FromException<ChatResponse>(ex);
        }

        if (call.IsCompletedSuccessfully)
        {
            leases.Dispose();
            Succeeded(plan, runtime, requested, started, call.Result);
            return call;
        }

        return RouteAsync(plan, requested, messages, options, needs, rejections, new PendingCall(runtime, leases, started, call), cancellationToken);
    }

    private async Task<ChatResponse> RouteAsync(ModelPlan plan, string? requested, IEnumerable<ChatMessage> messages, ChatOptions? options, RequestNeeds needs, Dictionary<string, string>? rejections, PendingCall? pending, CancellationToken cancellationToken)
    {
        Attempts? attempts = null;
        while (true)
        {
            DeploymentRuntime runtime;
            DeploymentRuntime.Leases leases;
            long started;
            Task<ChatResponse> call;
            if (pending is { } first)
            {
                (runtime, leases, started, call) = first;
                pending = null;
            }
            else
            {
                runtime = Next(plan, attempts, needs, ref rejections) ?? throw Exhausted(plan, attempts, rejections);
                var client = _providers.Get(runtime.Deployment.Provider);
                var callOptions = WithModel(options, runtime);
                started = _state.Time.GetTimestamp();
                try
                {
                    leases = runtime.Acquire(messages, callOptions);
                }
                catch (RateLimitedException busy)
                {
                    (attempts ??= new()).Skip(runtime, busy);
                    continue;
                }

                try
                {
                    call = runtime.ExecuteAsync(client, messages, callOptions, cancellationToken);
                }
#pragma warning disable CA1031 // Classified below like a failed task.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    call = Task.FromException<ChatResponse>(ex);
                }
            }

            try
            {
                var response = await call.ConfigureAwait(false);
                Succeeded(plan, runtime, requested, started, response);
                return response;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Counters(plan).RecordCancelled();
                throw;
            }
            catch (Exception ex)
            {
                runtime.RecordFailure(ex);
                if (!(attempts ??= new()).Continue(ex, runtime, _state.Registry))
                {
                    Counters(plan).RecordFailure((ex as LlmKitException)?.FailureKind ?? LlmFailureKind.Unknown);
                    throw;
                }

                LogFallback(plan, runtime, ex);
            }
            finally
            {
                leases.Dispose();
            }
        }
    }

    private void LogFallback(ModelPlan plan, DeploymentRuntime runtime, Exception failure)
        => ResilienceLog.Fallback(_state.Logger, runtime.Deployment.Name, plan.Name, (failure as LlmKitException)?.FailureKind.ToString() ?? failure.GetType().Name);

    private void Succeeded(ModelPlan plan, DeploymentRuntime runtime, string? requested, long started, ChatResponse response)
    {
        var latency = _state.Time.GetElapsedTime(started);
        long? outputTokens = response.Usage?.OutputTokenCount;
        runtime.RecordSuccess(latency, null, outputTokens);
        Counters(plan).RecordSuccess(latency, null, outputTokens);
        if (_annotateRoutes)
        {
            // The route object is cached per deployment and immutable; the dictionary is the response's own.
            (response.AdditionalProperties ??= [])[LlmKitResponseProperties.Route] = runtime.RouteFor(requested);
        }
    }

    /// <summary>Returns the counters of the model a call asked for (resolved once per plan).</summary>
    private PerformanceCounters Counters(ModelPlan plan) => plan.Counters ??= _state.Model(plan.Name);

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(ModelPlan plan, string? requested, IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var needs = RequestNeeds.Of(messages, options);
        var modelCounters = Counters(plan);
        Attempts? attempts = null;
        Dictionary<string, string>? rejections = null;
        DeploymentRuntime runtime;
        OpenedStream stream;
        DeploymentRuntime.Leases leases;
        long started;
        while (true)
        {
            runtime = Next(plan, attempts, needs, ref rejections) ?? throw Exhausted(plan, attempts, rejections);
            var client = _providers.Get(runtime.Deployment.Provider);
            var callOptions = WithModel(options, runtime);
            started = _state.Time.GetTimestamp();
            try
            {
                leases = runtime.Acquire(messages, callOptions);
            }
            catch (RateLimitedException busy)
            {
                (attempts ??= new()).Skip(runtime, busy);
                continue;
            }

            try
            {
                stream = await runtime.OpenStreamAsync(client, messages, callOptions, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                leases.Dispose();
                modelCounters.RecordCancelled();
                throw;
            }
            catch (Exception ex)
            {
                leases.Dispose();
                runtime.RecordFailure(ex);
                if (!(attempts ??= new()).Continue(ex, runtime, _state.Registry))
                {
                    modelCounters.RecordFailure((ex as LlmKitException)?.FailureKind ?? LlmFailureKind.Unknown);
                    throw;
                }

                LogFallback(plan, runtime, ex);
            }
        }

        // From here on the caller has (or is about to have) chunks: no more fallback.
        bool completed = false;
        bool failed = false;
        TimeSpan? firstChunk = null;
        long? outputTokens = null;
        try
        {
            while (true)
            {
                ChatResponseUpdate? update;
                try
                {
                    update = await stream.NextAsync(runtime.Deployment.Name, runtime.Deployment.Provider).ConfigureAwait(false);
                }
                catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
                {
                    failed = true;
                    var translated = runtime.Translate(ex, runtime.Resilience.ChunkIdleTimeout, cancellationToken);
                    runtime.RecordFailure(translated);
                    modelCounters.RecordFailure((translated as LlmKitException)?.FailureKind ?? LlmFailureKind.Unknown);
                    if (ReferenceEquals(translated, ex))
                    {
                        throw;
                    }

                    throw translated;
                }

                if (update is null)
                {
                    completed = true;
                    break;
                }

                if (firstChunk is null)
                {
                    firstChunk = _state.Time.GetElapsedTime(started);
                    if (_annotateRoutes)
                    {
                        (update.AdditionalProperties ??= [])[LlmKitResponseProperties.Route] = runtime.RouteFor(requested);
                    }
                }

                var contents = update.Contents;
                for (int i = 0; i < contents.Count; i++)
                {
                    if (contents[i] is UsageContent usage)
                    {
                        outputTokens = usage.Details.OutputTokenCount ?? outputTokens;
                    }
                }

                yield return update;
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            leases.Dispose();
            var latency = _state.Time.GetElapsedTime(started);
            if (completed)
            {
                runtime.RecordSuccess(latency, firstChunk, outputTokens);
                modelCounters.RecordSuccess(latency, firstChunk, outputTokens);
            }
            else if (!failed)
            {
                // The caller stopped reading or cancelled: neither a success nor the deployment's failure.
                runtime.Counters.RecordCancelled();
                modelCounters.RecordCancelled();
            }
        }
    }

    private ModelPlan PlanFor(string? model)
    {
        model ??= _boundModel;
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new LlmKitConfigurationException(
                "The call names no model and no default model is configured. Set ChatOptions.ModelId, resolve a keyed IChatClient for a logical model, or set 'LlmKit:DefaultModel'.",
                ["LlmKit:DefaultModel"]);
        }

        if (_plans.TryGetValue(model, out var plan) || _directPlans.TryGetValue(model, out plan))
        {
            return plan;
        }

        if (_defaultProvider is null)
        {
            string known = _plans.Count == 0 ? "(none)" : string.Join(", ", _plans.Keys);
            throw new ModelNotFoundException(
                model,
                $"Model '{model}' is not a logical model (known: {known}) and there is no default provider to send it to ({_providers.Names.Count} provider connections are registered). Define it under 'LlmKit:Models:{model}' or set 'LlmKit:DefaultProvider'.",
                null);
        }

        var direct = new ModelPlan(model, [_state.GetDirect(_defaultProvider, model)], RoutingStrategy.Priority, 0, [], [], []);
        if (_directPlans.Count < MaxCachedDirectModels)
        {
            _directPlans.TryAdd(model, direct);
        }

        return direct;
    }

    /// <summary>
    /// The next deployment to try: the current group picked by its strategy, then the fallback groups the failures so far
    /// allow. <see langword="null"/> when none is left; the reasons go to <paramref name="rejections"/>.
    /// </summary>
    private DeploymentRuntime? Next(ModelPlan plan, Attempts? attempts, RequestNeeds needs, ref Dictionary<string, string>? rejections)
    {
        if (attempts is null || attempts.Mode == FallbackMode.Normal)
        {
            var picked = Pick(plan, attempts, needs, ref rejections);
            if (picked is not null || attempts is null)
            {
                return picked;
            }
        }

        if (attempts.Mode == FallbackMode.ContextWindow)
        {
            return Pick(plan, attempts, needs, ref rejections)
                ?? PickFrom(plan.Fallbacks, attempts, needs, ref rejections)
                ?? PickFrom(plan.ContextWindowFallbacks, attempts, needs, ref rejections);
        }

        return attempts.Mode == FallbackMode.ContentPolicy
            ? PickFrom(plan.ContentPolicyFallbacks, attempts, needs, ref rejections)
            : PickFrom(plan.Fallbacks, attempts, needs, ref rejections);
    }

    private DeploymentRuntime? PickFrom(string[] models, Attempts attempts, RequestNeeds needs, ref Dictionary<string, string>? rejections)
    {
        foreach (string name in models)
        {
            ModelPlan fallback;
            try
            {
                fallback = PlanFor(name);
            }
            catch (LlmKitException ex)
            {
                (rejections ??= new(StringComparer.OrdinalIgnoreCase))[name] = ex.Message;
                continue;
            }

            var picked = Pick(fallback, attempts, needs, ref rejections);
            if (picked is not null)
            {
                return picked;
            }
        }

        return null;
    }

    private DeploymentRuntime? Pick(ModelPlan plan, Attempts? attempts, RequestNeeds needs, ref Dictionary<string, string>? rejections)
    {
        var runtimes = plan.Runtimes;
        Span<bool> eligible = runtimes.Length <= 64 ? stackalloc bool[runtimes.Length] : new bool[runtimes.Length];
        int count = 0;
        int first = -1;
        for (int i = 0; i < runtimes.Length; i++)
        {
            var runtime = runtimes[i];
            if (attempts is not null && attempts.HasTried(runtime))
            {
                continue;
            }

            string? reason = runtime.Unavailability() ?? Unsuitability(runtime, needs, attempts);
            if (reason is not null)
            {
                (rejections ??= new(StringComparer.OrdinalIgnoreCase))[runtime.Deployment.Name] = reason;
                continue;
            }

            eligible[i] = true;
            count++;
            if (first < 0)
            {
                first = i;
            }
        }

        if (count <= 1 || plan.Strategy == RoutingStrategy.Priority)
        {
            return first < 0 ? null : runtimes[first];
        }

        return runtimes[plan.Strategy switch
        {
            RoutingStrategy.WeightedRandom => WeightedRandom(runtimes, eligible),
            RoutingStrategy.LeastBusy => LeastBusy(runtimes, eligible),
            RoutingStrategy.LowestLatency => LowestLatency(runtimes, eligible, plan.LatencyTolerance),
            RoutingStrategy.LowestCost => LowestCost(runtimes, eligible),
            _ => first,
        }];
    }

    private string? Unsuitability(DeploymentRuntime runtime, RequestNeeds needs, Attempts? attempts)
    {
        if (!_state.Registry.TryGet(runtime.Deployment.Model, out var model))
        {
            // Unknown to the registry: nothing to check against; a context-window fallback needs a known, larger window.
            return attempts is { Mode: FallbackMode.ContextWindow, FailedContextWindow: > 0 }
                ? $"its model '{runtime.Deployment.Model}' has no known context window to compare with the {attempts.FailedContextWindow} tokens that were too few"
                : null;
        }

        if (!model.IsActive)
        {
            return $"model '{model.Id}' is deactivated in the model registry";
        }

        if (needs.Capabilities != ModelCapabilities.None && model.Capabilities != ModelCapabilities.None && (model.Capabilities & needs.Capabilities) != needs.Capabilities)
        {
            return $"model '{model.Id}' lacks {needs.Capabilities & ~model.Capabilities}, which the request needs";
        }

        if (attempts is { Mode: FallbackMode.ContextWindow, FailedContextWindow: > 0 } && (model.ContextWindow ?? 0) <= attempts.FailedContextWindow)
        {
            return string.Create(CultureInfo.InvariantCulture, $"its context window ({model.ContextWindow?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} tokens) is not larger than the {attempts.FailedContextWindow} tokens that were too few for the prompt");
        }

        return null;
    }

    private static int WeightedRandom(DeploymentRuntime[] runtimes, ReadOnlySpan<bool> eligible)
    {
        long total = 0;
        for (int i = 0; i < runtimes.Length; i++)
        {
            if (eligible[i])
            {
                total += Math.Max(1, runtimes[i].Deployment.Weight);
            }
        }

        long ticket = Random.Shared.NextInt64(total);
        int last = -1;
        for (int i = 0; i < runtimes.Length; i++)
        {
            if (!eligible[i])
            {
                continue;
            }

            last = i;
            ticket -= Math.Max(1, runtimes[i].Deployment.Weight);
            if (ticket < 0)
            {
                return i;
            }
        }

        return last;
    }

    private static int LeastBusy(DeploymentRuntime[] runtimes, ReadOnlySpan<bool> eligible)
    {
        int best = -1;
        int bestInFlight = int.MaxValue;
        for (int i = 0; i < runtimes.Length; i++)
        {
            if (eligible[i] && runtimes[i].InFlight < bestInFlight)
            {
                best = i;
                bestInFlight = runtimes[i].InFlight;
            }
        }

        return best;
    }

    private static int LowestLatency(DeploymentRuntime[] runtimes, Span<bool> eligible, double tolerance)
    {
        double fastest = double.MaxValue;
        for (int i = 0; i < runtimes.Length; i++)
        {
            if (!eligible[i])
            {
                continue;
            }

            double average = runtimes[i].AverageLatencyMs;
            if (double.IsNaN(average))
            {
                // Never measured: measure it now.
                return i;
            }

            fastest = Math.Min(fastest, average);
        }

        double limit = fastest * (1 + tolerance);
        for (int i = 0; i < runtimes.Length; i++)
        {
            if (eligible[i] && runtimes[i].AverageLatencyMs > limit)
            {
                eligible[i] = false;
            }
        }

        return WeightedRandom(runtimes, eligible);
    }

    private int LowestCost(DeploymentRuntime[] runtimes, ReadOnlySpan<bool> eligible)
    {
        int best = -1;
        decimal bestPrice = decimal.MaxValue;
        for (int i = 0; i < runtimes.Length; i++)
        {
            if (!eligible[i])
            {
                continue;
            }

            decimal price = _state.Registry.TryGet(runtimes[i].Deployment.Model, out var model)
                && model.Pricing is { InputPerMillion: { } input, OutputPerMillion: { } output }
                ? input + output
                : decimal.MaxValue;
            if (best < 0 || price < bestPrice)
            {
                best = i;
                bestPrice = price;
            }
        }

        return best;
    }

    private Exception Exhausted(ModelPlan plan, Attempts? attempts, Dictionary<string, string>? rejections)
    {
        if (attempts?.LastFailure is { } last)
        {
            // Every candidate that was tried failed: the last provider failure is the truth the caller needs.
            ExceptionDispatchInfo.Capture(last).Throw();
        }

        var reasons = rejections ?? [];
        if (attempts?.LastBusy is { } busy && reasons.Count == 0)
        {
            return busy;
        }

        var now = _state.Time.GetUtcNow();
        DateTimeOffset? soonest = null;
        bool allRateLimited = plan.Runtimes.Length > 0;
        foreach (var runtime in plan.Runtimes)
        {
            if (runtime.IsCoolingDownAfterRateLimit && runtime.CoolingDownUntil is { } until)
            {
                soonest = soonest is null || until < soonest ? until : soonest;
            }
            else
            {
                allRateLimited = false;
            }
        }

        string list = reasons.Count == 0
            ? "it has no deployments"
            : string.Join("; ", reasons.Select(r => $"'{r.Key}': {r.Value}"));
        if (allRateLimited && soonest is { } end)
        {
            return new RateLimitedException(
                string.Create(CultureInfo.InvariantCulture, $"Every deployment of model '{plan.Name}' is cooling down after rate limits ({list}). Try again after {end:O}."),
                null,
                end - now,
                statusCode: null);
        }

        // Every deployment is only temporarily out (an open circuit, a cooldown): the model exists and will be served again.
        DateTimeOffset? retryAt = null;
        bool allTemporarilyOut = plan.Runtimes.Length > 0;
        foreach (var runtime in plan.Runtimes)
        {
            var back = Earliest(runtime.CircuitRetryAt, runtime.CoolingDownUntil);
            if (back is null || !runtime.Enabled)
            {
                allTemporarilyOut = false;
                break;
            }

            retryAt = Earliest(retryAt, back);
        }

        if (allTemporarilyOut && retryAt is { } at)
        {
            return new ModelUnavailableException(
                plan.Name,
                string.Create(CultureInfo.InvariantCulture, $"No deployment of model '{plan.Name}' can take calls now ({list}). The first is tried again at {at:O}; retry after that, or configure fallbacks under 'LlmKit:Models:{plan.Name}'."),
                at,
                reasons);
        }

        return new ModelNotFoundException(
            plan.Name,
            $"No deployment of model '{plan.Name}' can serve this request: {list}. Add or re-enable a deployment that can, or configure fallbacks under 'LlmKit:Models:{plan.Name}'.",
            reasons);
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>
    /// The call's options with the deployment's model name. Options that carry nothing but a model name (or no options) map
    /// to one shared instance per deployment instead of a copy per call: like the caller's own options, which callers reuse
    /// across calls, options are never changed by the clients they are passed to.
    /// </summary>
    private static ChatOptions WithModel(ChatOptions? options, DeploymentRuntime runtime)
    {
        string model = runtime.Deployment.Model;
        if (options is null || CarriesOnlyModelId(options))
        {
            return runtime.ModelOnlyOptions;
        }

        if (string.Equals(options.ModelId, model, StringComparison.Ordinal))
        {
            return options;
        }

        var clone = options.Clone();
        clone.ModelId = model;
        return clone;
    }

    /// <summary>Returns whether every setting of <paramref name="options"/> other than the model name is unset.</summary>
    private static bool CarriesOnlyModelId(ChatOptions options) => ChatOptionsShape.IsKnown
        && options.AdditionalProperties is null
        && options.Tools is null
        && options.ToolMode is null
        && options.ResponseFormat is null
        && options.Instructions is null
        && options.ConversationId is null
        && options.Temperature is null
        && options.MaxOutputTokens is null
        && options.TopP is null
        && options.TopK is null
        && options.FrequencyPenalty is null
        && options.PresencePenalty is null
        && options.Seed is null
        && options.Reasoning is null
        && options.StopSequences is null
        && options.AllowMultipleToolCalls is null
        && options.AllowBackgroundResponses is null
        && options.ContinuationToken is null
        && options.RawRepresentationFactory is null;

    /// <summary>Whether <see cref="ChatOptions"/> has exactly the settings <see cref="CarriesOnlyModelId"/> checks (a newer version may add some).</summary>
    private static class ChatOptionsShape
    {
        public static readonly bool IsKnown = Check();

        private static bool Check()
        {
            string[] known =
            [
                nameof(ChatOptions.ConversationId), nameof(ChatOptions.Instructions), nameof(ChatOptions.Temperature), nameof(ChatOptions.MaxOutputTokens),
                nameof(ChatOptions.TopP), nameof(ChatOptions.TopK), nameof(ChatOptions.FrequencyPenalty), nameof(ChatOptions.PresencePenalty),
                nameof(ChatOptions.Seed), nameof(ChatOptions.Reasoning), nameof(ChatOptions.ResponseFormat), nameof(ChatOptions.ModelId),
                nameof(ChatOptions.StopSequences), nameof(ChatOptions.AllowMultipleToolCalls), nameof(ChatOptions.ToolMode), nameof(ChatOptions.Tools),
                nameof(ChatOptions.AllowBackgroundResponses), nameof(ChatOptions.ContinuationToken), nameof(ChatOptions.RawRepresentationFactory),
                nameof(ChatOptions.AdditionalProperties),
            ];
            var properties = typeof(ChatOptions).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance);
            if (properties.Length != known.Length)
            {
                return false;
            }

            foreach (var property in properties)
            {
                if (Array.IndexOf(known, property.Name) < 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>A logical model (or a provider model id) ready for routing.</summary>
    private sealed record ModelPlan(string Name, DeploymentRuntime[] Runtimes, RoutingStrategy Strategy, double LatencyTolerance, string[] Fallbacks, string[] ContextWindowFallbacks, string[] ContentPolicyFallbacks)
    {
        /// <summary>Gets or sets the counters of this model, resolved on its first call.</summary>
        public PerformanceCounters? Counters { get; set; }
    }

    /// <summary>A first attempt that did not complete at once.</summary>
    private sealed record PendingCall(DeploymentRuntime Runtime, DeploymentRuntime.Leases Leases, long Started, Task<ChatResponse> Task);

    /// <summary>What the failures of one call allow next. Created on the first failure only.</summary>
    private sealed class Attempts
    {
        private readonly List<DeploymentRuntime> _tried = [];

        public FallbackMode Mode { get; private set; }

        public int FailedContextWindow { get; private set; }

        public Exception? LastFailure { get; private set; }

        public RateLimitedException? LastBusy { get; private set; }

        public bool HasTried(DeploymentRuntime runtime) => _tried.Contains(runtime);

        /// <summary>A deployment at its client-side limit: skip it for this call.</summary>
        public void Skip(DeploymentRuntime runtime, RateLimitedException busy)
        {
            _tried.Add(runtime);
            LastBusy = busy;
        }

        /// <summary>Classifies a failure; returns whether another deployment may be tried.</summary>
        public bool Continue(Exception failure, DeploymentRuntime runtime, IModelRegistry registry)
        {
            _tried.Add(runtime);
            LastFailure = failure;
            switch ((failure as LlmKitException)?.FailureKind ?? LlmFailureKind.Unknown)
            {
                case LlmFailureKind.RateLimited or LlmFailureKind.QuotaExhausted or LlmFailureKind.Overloaded
                    or LlmFailureKind.ServerError or LlmFailureKind.Timeout or LlmFailureKind.Network:
                    return true;
                case LlmFailureKind.InvalidResponse when failure is ProviderException { IsRetryable: true }:
                    // A malformed success (a proxy's HTML page, broken JSON): another deployment may answer properly.
                    return true;
                case LlmFailureKind.ContextWindowExceeded:
                    int window = registry.TryGet(runtime.Deployment.Model, out var model) ? model.ContextWindow ?? 0 : 0;
                    if (failure is ContextWindowExceededException { ContextWindow: { } reported } && reported > window)
                    {
                        window = reported;
                    }

                    Mode = FallbackMode.ContextWindow;
                    FailedContextWindow = Math.Max(FailedContextWindow, window);
                    return true;
                case LlmFailureKind.ContentPolicy:
                    Mode = FallbackMode.ContentPolicy;
                    return true;
                default:
                    return false;
            }
        }
    }

    private enum FallbackMode
    {
        Normal,
        ContextWindow,
        ContentPolicy,
    }

    /// <summary>The capabilities a request needs from a model.</summary>
    private readonly record struct RequestNeeds(ModelCapabilities Capabilities)
    {
        public static RequestNeeds Of(IEnumerable<ChatMessage> messages, ChatOptions? options)
        {
            var needs = ModelCapabilities.None;
            if (options?.Tools is { Count: > 0 })
            {
                needs |= ModelCapabilities.Tools;
            }

            if (options?.ResponseFormat is ChatResponseFormatJson { Schema: not null })
            {
                needs |= ModelCapabilities.JsonSchema;
            }

            if (messages is IList<ChatMessage> list)
            {
                for (int i = 0; i < list.Count; i++)
                {
                    needs |= ImageNeeds(list[i]);
                }
            }
            else
            {
                foreach (var message in messages)
                {
                    needs |= ImageNeeds(message);
                }
            }

            return new RequestNeeds(needs);
        }

        private static ModelCapabilities ImageNeeds(ChatMessage message)
        {
            var contents = message.Contents;
            for (int i = 0; i < contents.Count; i++)
            {
                if (contents[i] is DataContent data && data.HasTopLevelMediaType("image")
                    || contents[i] is UriContent uri && uri.HasTopLevelMediaType("image"))
                {
                    return ModelCapabilities.Vision;
                }
            }

            return ModelCapabilities.None;
        }
    }
}
