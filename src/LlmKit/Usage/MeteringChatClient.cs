using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmKit;

/// <summary>
/// The metering stage: records one <see cref="UsageRecord"/> per model round trip (whatever retries or
/// fallbacks happened inside it) with tokens by kind, the priced cost, latency and outcome, under an id of its own
/// (<see cref="UsageRecord.RequestId"/>), with the caller's <see cref="LlmRequestContext.RequestId"/> as
/// <see cref="UsageRecord.CorrelationId"/> and the tool loop's <see cref="LlmRequestContext.RunId"/> as
/// <see cref="UsageRecord.RunId"/>, so no round trip of a tool loop is dropped as a duplicate. A ledger
/// that fails is logged and never fails the call.
/// </summary>
public sealed partial class MeteringChatClient : DelegatingChatClient
{
    private readonly IUsageLedger _ledger;
    private readonly ICostCalculator _costCalculator;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ModelPerformanceStatistics? _statistics;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerClient">The client to wrap (normally the router).</param>
    /// <param name="ledger">Where records go.</param>
    /// <param name="costCalculator">Prices calls.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where ledger failures are logged; <see langword="null"/> logs nothing.</param>
    /// <param name="statistics">Where the cost of each routed call is added per deployment and model; <see langword="null"/> keeps no per-model cost statistics.</param>
    public MeteringChatClient(IChatClient innerClient, IUsageLedger ledger, ICostCalculator costCalculator, TimeProvider? timeProvider = null, ILogger? logger = null, ModelPerformanceStatistics? statistics = null)
        : base(innerClient)
    {
        _statistics = statistics;
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(costCalculator);
        _ledger = ledger;
        _costCalculator = costCalculator;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc/>
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var started = _timeProvider.GetUtcNow();
        long timestamp = _timeProvider.GetTimestamp();
        Task<ChatResponse> call;
        try
        {
            call = base.GetResponseAsync(messages, options, cancellationToken);
        }
#pragma warning disable CA1031 // Metered and handed back as the task's failure, as an asynchronous method would.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            call = Task.FromException<ChatResponse>(ex);
        }

        if (!call.IsCompletedSuccessfully)
        {
            return MeterAsync(call, options, started, timestamp);
        }

        // Completed at once (and the ledger usually stores at once): no asynchronous state machine.
        var response = call.Result;
        return AfterRecording(RecordAsync(options, started, timestamp, response.AdditionalProperties, response.ModelId, response.Usage, CallOutcome.Success, null), call);
    }

    /// <summary>Hands back <paramref name="call"/> itself when the record was stored at once.</summary>
    private static Task<ChatResponse> AfterRecording(ValueTask recording, Task<ChatResponse> call)
    {
        if (recording.IsCompletedSuccessfully)
        {
            recording.GetAwaiter().GetResult();
            return call;
        }

        return AfterRecordingAsync(recording, call.Result);
    }

    private static async Task<ChatResponse> AfterRecordingAsync(ValueTask recording, ChatResponse response)
    {
        await recording.ConfigureAwait(false);
        return response;
    }

    private async Task<ChatResponse> MeterAsync(Task<ChatResponse> call, ChatOptions? options, DateTimeOffset started, long timestamp)
    {
        ChatResponse response;
        try
        {
            response = await call.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await RecordFailureAsync(options, started, timestamp, ex).ConfigureAwait(false);
            throw;
        }

        await RecordAsync(options, started, timestamp, response.AdditionalProperties, response.ModelId, response.Usage, CallOutcome.Success, null).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var started = _timeProvider.GetUtcNow();
        long timestamp = _timeProvider.GetTimestamp();
        AdditionalPropertiesDictionary? annotations = null;
        string? responseModel = null;
        UsageDetails? usage = null;
        bool completed = false;
        bool failed = false;
        IAsyncEnumerator<ChatResponseUpdate> enumerator;
        try
        {
            enumerator = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex)
        {
            await RecordFailureAsync(options, started, timestamp, ex).ConfigureAwait(false);
            throw;
        }

        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        completed = true;
                        break;
                    }

                    update = enumerator.Current;
                }
                catch (Exception ex)
                {
                    // The failure is the call's one record (with the route of the chunks that did arrive).
                    failed = true;
                    await RecordFailureAsync(options, started, timestamp, ex, annotations).ConfigureAwait(false);
                    throw;
                }

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

                yield return update;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            if (completed)
            {
                await RecordAsync(options, started, timestamp, annotations, responseModel, usage, CallOutcome.Success, null).ConfigureAwait(false);
            }
            else if (!failed && usage is null)
            {
                // The caller stopped reading early: what the provider billed is not known; record the call as cancelled.
                await RecordAsync(options, started, timestamp, annotations, responseModel, null, CallOutcome.Cancelled, null).ConfigureAwait(false);
            }
        }
    }

    private ValueTask RecordFailureAsync(ChatOptions? options, DateTimeOffset started, long timestamp, Exception ex, AdditionalPropertiesDictionary? annotations = null)
    {
        var outcome = ex switch
        {
            OperationCanceledException => CallOutcome.Cancelled,
            BudgetExceededException => CallOutcome.BudgetRejected,
            ContentBlockedException => CallOutcome.Blocked,
            _ => CallOutcome.Failure,
        };
        return RecordAsync(options, started, timestamp, annotations, null, null, outcome, (ex as LlmKitException)?.FailureKind ?? LlmFailureKind.Unknown);
    }

    private ValueTask RecordAsync(ChatOptions? options, DateTimeOffset started, long timestamp, AdditionalPropertiesDictionary? annotations, string? responseModel, UsageDetails? usage, CallOutcome outcome, LlmFailureKind? failure)
    {
        var context = options.GetLlmContext();
        LlmKitResponseProperties.TryGetRoute(annotations, out var route);
        string? logicalModel = route?.LogicalModel ?? options?.ModelId;
        string? deploymentModel = route?.ProviderModel;
        var cost = usage is null
            ? (outcome == CallOutcome.Success ? CallCost.Unknown("the provider reported no usage") : new CallCost { Total = 0m })
            : Price(usage, responseModel, deploymentModel, logicalModel);
        if (outcome == CallOutcome.Success)
        {
            _statistics?.RecordCost(route, cost);
        }

        // The telemetry stage's span is current around this stage: it carries the call's cost when the cost is known.
        if (cost.Total is { } total && Activity.Current is { } activity && activity.Source == LlmKitTelemetry.ActivitySource)
        {
            activity.SetTag(GenAiAttributes.LlmKitCostUsd, (double)total);
        }

        long write = usage?.AdditionalCounts is { } counts && counts.TryGetValue(LlmUsageKeys.CacheWriteInputTokens, out long w) ? w : 0;
        var record = new UsageRecord
        {
            RequestId = RequestIds.Next(),
            CorrelationId = context.RequestId,
            RunId = context.RunId,
            Timestamp = started,
            TenantId = context.TenantId,
            UserId = context.UserId,
            ApiKeyId = context.ApiKeyId,
            ConversationId = context.ConversationId,
            LogicalModel = logicalModel,
            Deployment = route?.Deployment.Name,
            Provider = route?.Provider,
            ResponseModel = responseModel,
            TemplateId = context.TemplateId,
            TemplateVersion = context.TemplateVersion,
            InputTokens = usage?.InputTokenCount ?? 0,
            CachedInputTokens = usage?.CachedInputTokenCount ?? 0,
            CacheWriteTokens = write,
            OutputTokens = usage?.OutputTokenCount ?? 0,
            ReasoningTokens = usage?.ReasoningTokenCount ?? 0,
            Cost = cost,
            Latency = _timeProvider.GetElapsedTime(timestamp),
            Outcome = outcome,
            FailureKind = failure,
            Tags = context.Tags,
        };

        try
        {
            return Settle(_ledger.RecordAsync(record, CancellationToken.None), record.RequestId);
        }
#pragma warning disable CA1031 // A ledger failure must never fail the call it records; it is logged instead.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogLedgerFailure(_logger, record.RequestId, ex);
            return default;
        }
    }

    /// <summary>Completes at once when the ledger stored the record at once; otherwise awaits it, logging a failure.</summary>
    private ValueTask Settle(ValueTask<bool> write, string requestId)
    {
        if (write.IsCompletedSuccessfully)
        {
            _ = write.Result;
            return default;
        }

        return AwaitWriteAsync(write, requestId);
    }

    private async ValueTask AwaitWriteAsync(ValueTask<bool> write, string requestId)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A ledger failure must never fail the call it records; it is logged instead.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogLedgerFailure(_logger, requestId, ex);
        }
    }

    /// <summary>
    /// Prices by the deployment's model (what was sent, and what the registry usually knows), then the
    /// model the provider reported (often a dated variant), then the logical model: the first the registry knows.
    /// </summary>
    private CallCost Price(UsageDetails usage, string? responseModel, string? deploymentModel, string? logicalModel)
    {
        CallCost? first = null;
        foreach (string? model in (ReadOnlySpan<string?>)[deploymentModel, responseModel, logicalModel])
        {
            if (model is null)
            {
                continue;
            }

            var cost = _costCalculator.Calculate(model, usage);
            if (cost.IsKnown)
            {
                return cost;
            }

            first ??= cost;
        }

        return first ?? CallCost.Unknown("no model was reported for the call");
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Error, Message = "The usage ledger could not record request {RequestId}; the call itself succeeded or failed on its own")]
    private static partial void LogLedgerFailure(ILogger logger, string requestId, Exception exception);

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(IUsageLedger) ? _ledger : base.GetService(serviceType, serviceKey);
    }
}
