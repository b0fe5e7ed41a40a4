using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// The budget stage: before each call, estimates its cost (the prompt's tokens plus the most output the call may
/// produce, priced by the model registry) and reserves it against every budget in scope through
/// <see cref="IBudgetManager"/>; after the call, settles the real cost and tokens from the response's usage. A failed,
/// cancelled or abandoned call releases its reservation. When a budget degrades the call, the call is sent to the
/// budget's cheaper model (<c>ChatOptions.ModelId</c> changes, so metering records the model really used).
/// </summary>
/// <remarks>
/// Input tokens come from the model's <see cref="ITokenCounter"/> (exact tiktoken for OpenAI models, a
/// <see cref="CalibratedTokenCounter"/> estimate for others), or from the provider's count endpoint when
/// <see cref="BudgetAdmissionOptions.ExactInputTokens"/> is set or the call's options carry
/// <see cref="ExactTokenCountProperty"/> = <see langword="true"/>. The maximum output is
/// <c>ChatOptions.MaxOutputTokens</c>, else the registry's maximum output for the model, else what the context window
/// leaves, else <see cref="BudgetAdmissionOptions.DefaultMaxOutputTokens"/>.
/// </remarks>
public sealed partial class BudgetChatClient : DelegatingChatClient
{
    /// <summary>The <c>ChatOptions.AdditionalProperties</c> key that asks for the provider's exact input token count for one call (value <see langword="true"/>).</summary>
    public const string ExactTokenCountProperty = "llmkit.exact_token_count";

    private const int MaxDegrades = 4;

    private readonly IBudgetManager _budgets;
    private readonly ICostCalculator _costCalculator;
    private readonly IModelRegistry _registry;
    private readonly BudgetAdmissionOptions _options;
    private readonly ILogger _logger;
    private readonly ModelRouterChatClient? _router;

    /// <summary>Gets or sets where refused calls are recorded; <see langword="null"/> records none (the default pipeline sets it).</summary>
    internal RefusalRecorder? Refusals { get; init; }
    private readonly ConcurrentDictionary<string, ITokenCounter> _counters = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerClient">The client to wrap (normally metering, then the router).</param>
    /// <param name="budgets">Admits and settles calls.</param>
    /// <param name="costCalculator">Prices the estimate and the real usage.</param>
    /// <param name="registry">Gives each model's maximum output and context window.</param>
    /// <param name="options">How calls are estimated; <see langword="null"/> uses the defaults.</param>
    /// <param name="logger">Where failures to settle or count are logged; <see langword="null"/> logs nothing.</param>
    public BudgetChatClient(IChatClient innerClient, IBudgetManager budgets, ICostCalculator costCalculator, IModelRegistry registry, BudgetAdmissionOptions? options = null, ILogger? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(budgets);
        ArgumentNullException.ThrowIfNull(costCalculator);
        ArgumentNullException.ThrowIfNull(registry);
        _budgets = budgets;
        _costCalculator = costCalculator;
        _registry = registry;
        _options = options ?? new BudgetAdmissionOptions();
        _logger = logger ?? NullLogger.Instance;
        _router = innerClient.GetService(typeof(ModelRouterChatClient)) as ModelRouterChatClient;
    }

    /// <inheritdoc/>
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => NeedsAdmission(options)
            ? AdmitAndGetResponseAsync(messages, options, cancellationToken)
            : base.GetResponseAsync(messages, options, cancellationToken);

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => NeedsAdmission(options)
            ? AdmitAndStreamAsync(messages, options, cancellationToken)
            : base.GetStreamingResponseAsync(messages, options, cancellationToken);

    private async Task<ChatResponse> AdmitAndGetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var admission = await AdmitOrRecordAsync(messages, options, cancellationToken).ConfigureAwait(false);
        if (admission.Reservation is not { } reservation)
        {
            return await base.GetResponseAsync(messages, admission.Options, cancellationToken).ConfigureAwait(false);
        }

        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, admission.Options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ReleaseAsync(reservation).ConfigureAwait(false);
            throw;
        }

        await SettleAsync(reservation, admission, response.AdditionalProperties, response.ModelId, response.Usage).ConfigureAwait(false);
        return response;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> AdmitAndStreamAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var admission = await AdmitOrRecordAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var reservation = admission.Reservation;
        IAsyncEnumerator<ChatResponseUpdate> enumerator;
        try
        {
            enumerator = base.GetStreamingResponseAsync(messages, admission.Options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch
        {
            if (reservation is not null)
            {
                await ReleaseAsync(reservation).ConfigureAwait(false);
            }

            throw;
        }

        bool completed = false;
        UsageDetails? usage = null;
        AdditionalPropertiesDictionary? annotations = null;
        string? responseModel = null;
        try
        {
            while (true)
            {
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    completed = true;
                    break;
                }

                var update = enumerator.Current;
                if (reservation is not null)
                {
                    annotations ??= update.AdditionalProperties;
                    responseModel = update.ModelId ?? responseModel;
                    var contents = update.Contents;
                    for (int i = 0; i < contents.Count; i++)
                    {
                        if (contents[i] is UsageContent u)
                        {
                            usage = u.Details;
                        }
                    }
                }

                yield return update;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            if (reservation is not null)
            {
                if (completed || usage is not null)
                {
                    await SettleAsync(reservation, admission, annotations, responseModel, usage).ConfigureAwait(false);
                }
                else
                {
                    // Failed, cancelled or disposed early without usage: nothing known was spent.
                    await ReleaseAsync(reservation).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Builds the stage for the default pipeline, or returns <paramref name="inner"/> unchanged when no budget is defined.</summary>
    internal static IChatClient CreateStage(IServiceProvider services, IChatClient inner)
    {
        var manager = services.GetRequiredService<IBudgetManager>();
        if (manager is BudgetManager { HasBudgets: false })
        {
            return inner;
        }

        return new BudgetChatClient(
            inner,
            manager,
            services.GetRequiredService<ICostCalculator>(),
            services.GetRequiredService<IModelRegistry>(),
            services.GetRequiredService<IOptions<LlmKitOptions>>().Value.BudgetAdmission,
            services.GetService<ILoggerFactory>()?.CreateLogger("LlmKit.Budgets"))
        {
            Refusals = new RefusalRecorder(services.GetRequiredService<IUsageLedger>(), services.GetService<TimeProvider>()),
        };
    }

    private async ValueTask<Admission> AdmitOrRecordAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        try
        {
            return await AdmitAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (BudgetExceededException) when (Refusals is not null)
        {
            await Refusals.RecordAsync(options, CallOutcome.BudgetRejected, LlmFailureKind.BudgetExceeded).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Whether a call may be covered by a budget; when it cannot be, it passes through without an estimate or an allocation.</summary>
    private bool NeedsAdmission(ChatOptions? options)
    {
        if (_budgets is not BudgetManager manager)
        {
            return true;
        }

        string? requested = options?.ModelId ?? _router?.DefaultModel;
        return requested is not null && manager.AppliesTo(options.GetLlmContext(), requested);
    }

    private async ValueTask<Admission> AdmitAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var context = options.GetLlmContext();
        string? reservationId = null;
        var callOptions = options;
        for (int degrades = 0; ; degrades++)
        {
            string? requested = callOptions?.ModelId ?? _router?.DefaultModel;
            if (requested is null)
            {
                // No model to estimate for: the router refuses the call with its own explanation.
                return new Admission(null, callOptions, null);
            }

            if (_budgets is BudgetManager manager && !manager.AppliesTo(context, requested))
            {
                // No budget covers the call: nothing to estimate or reserve.
                return new Admission(null, callOptions, requested);
            }

            reservationId ??= Guid.NewGuid().ToString("N");
            var deployment = _router?.Resolve(requested);
            string priced = deployment?.Model ?? requested;
            var descriptor = _registry.TryGet(priced, out var found) ? found : _registry.TryGet(requested, out found) ? found : null;
            long input = await CountInputAsync(messages, callOptions, deployment, priced, cancellationToken).ConfigureAwait(false);
            long maxOutput = callOptions?.MaxOutputTokens
                ?? descriptor?.MaxOutputTokens
                ?? (descriptor?.ContextWindow is { } window ? Math.Max(0, window - input) : _options.DefaultMaxOutputTokens);
            var estimate = new UsageDetails { InputTokenCount = input, OutputTokenCount = maxOutput };
            var cost = _costCalculator.Calculate(priced, estimate);
            if (!cost.IsKnown && descriptor is not null && !string.Equals(descriptor.Id, priced, StringComparison.OrdinalIgnoreCase))
            {
                cost = _costCalculator.Calculate(descriptor.Id, estimate);
            }

            var reservation = await _budgets.ReserveAsync(
                new BudgetAdmissionRequest
                {
                    RequestId = reservationId,
                    Context = context,
                    Model = requested,
                    EstimatedUsd = cost.Total,
                    EstimatedTokens = input + maxOutput,
                },
                cancellationToken).ConfigureAwait(false);
            if (reservation.DegradedToModel is not { } cheaper)
            {
                // A reservation that holds nothing (no budget covers the call) needs no settling.
                return new Admission(reservation.Windows.Count == 0 ? null : reservation, callOptions, requested);
            }

            if (degrades >= MaxDegrades)
            {
                throw new BudgetExceededException($"The call was degraded {MaxDegrades + 1} times by budgets and still has no room (last model '{cheaper}'). Check the budgets' DegradeTo models: each should name a cheaper model that fits, not one that degrades again.");
            }

            callOptions = callOptions?.Clone() ?? new ChatOptions();
            callOptions.ModelId = cheaper;
        }
    }

    private async ValueTask<long> CountInputAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, ModelDeployment? deployment, string model, CancellationToken cancellationToken)
    {
        bool exact = _options.ExactInputTokens
            || (options?.AdditionalProperties is { } props && props.TryGetValue(ExactTokenCountProperty, out object? flag) && flag is true);
        if (exact && deployment is not null && _router!.ExactTokenCounterFor(deployment) is { } exactCounter)
        {
            try
            {
                var countOptions = options?.Clone() ?? new ChatOptions();
                countOptions.ModelId = deployment.Model;
                return await exactCounter.CountTokensAsync(messages, countOptions, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is LlmKitException or HttpRequestException)
            {
                LogExactCountFailed(_logger, model, ex);
            }
        }

        var counter = _counters.TryGetValue(model, out var cached) ? cached : _counters.GetOrAdd(model, CounterFor(deployment, model));
        return counter.CountTokens(messages, options);
    }

    private ITokenCounter CounterFor(ModelDeployment? deployment, string model)
    {
        if (deployment is not null && _router is not null)
        {
            return _router.TokenCounterFor(deployment);
        }

        return InnerClient.GetService(typeof(ITokenCounter)) as ITokenCounter
            ?? (ITokenCounter?)TiktokenTokenizer.ForModel(model)
            ?? CalibratedTokenCounter.ForProvider(_registry.TryGet(model, out var d) ? d.Provider : CalibratedTokenCounter.FamilyOf(model));
    }

    private async ValueTask SettleAsync(BudgetReservation reservation, Admission admission, AdditionalPropertiesDictionary? annotations, string? responseModel, UsageDetails? usage)
    {
        decimal? actualUsd = null;
        long actualTokens = reservation.ReservedTokens;
        if (usage is not null)
        {
            actualTokens = usage.TotalTokenCount ?? ((usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0));
            LlmKitResponseProperties.TryGetRoute(annotations, out var route);
            actualUsd = Price(usage, route?.ProviderModel, responseModel, route?.LogicalModel ?? admission.Model);
        }

        try
        {
            await _budgets.SettleAsync(reservation, actualUsd, Math.Max(0, actualTokens), CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A budget store that fails after the call must not fail the call that already ran; it is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogSettleFailed(_logger, reservation.Id, ex);
        }
    }

    private async ValueTask ReleaseAsync(BudgetReservation reservation)
    {
        try
        {
            await _budgets.ReleaseAsync(reservation, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The call's own failure is what the caller must see; a store failure while releasing is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogSettleFailed(_logger, reservation.Id, ex);
        }
    }

    /// <summary>Prices like metering: the deployment's model, then the reported model, then the logical model; <see langword="null"/> when none has a price.</summary>
    private decimal? Price(UsageDetails usage, string? deploymentModel, string? responseModel, string? logicalModel)
    {
        foreach (string? model in (ReadOnlySpan<string?>)[deploymentModel, responseModel, logicalModel])
        {
            if (model is not null && _costCalculator.Calculate(model, usage) is { Total: { } total })
            {
                return total;
            }
        }

        return null;
    }

    [LoggerMessage(EventId = 1210, Level = LogLevel.Error, Message = "The budgets could not be settled for reservation {ReservationId}; the call itself is not affected")]
    private static partial void LogSettleFailed(ILogger logger, string reservationId, Exception exception);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Warning, Message = "The provider's exact token count failed for model {Model}; the local estimate is used")]
    private static partial void LogExactCountFailed(ILogger logger, string model, Exception exception);

    /// <summary>What admission decided: the reservation (or none) and the options the call goes on with.</summary>
    private readonly record struct Admission(BudgetReservation? Reservation, ChatOptions? Options, string? Model);
}
