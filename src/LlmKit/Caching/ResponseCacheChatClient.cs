using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// The response cache stage, between the input guard and the output guard: answers a request whose key
/// (<see cref="ResponseCacheKey"/>) has a fresh stored answer without calling anything below it (so budgets are not
/// charged), writing a <see cref="CallOutcome.CacheHit"/> ledger record with cost 0 and the saved cost; otherwise calls
/// through and stores the answer as it left the output guard, unless it ends in tool calls, was filtered, is empty or is an
/// unfinished stream. Concurrent identical requests make one call (<c>HybridCache</c>'s stampede protection; for streams,
/// one stream per key at a time). Requests whose input the guard anonymised are neither looked up nor stored, so restored
/// PII is never kept.
/// </summary>
internal sealed partial class ResponseCacheChatClient : DelegatingChatClient
{
    private const HybridCacheEntryFlags ReadsDisabled = HybridCacheEntryFlags.DisableLocalCacheRead | HybridCacheEntryFlags.DisableDistributedCacheRead;
    private const HybridCacheEntryFlags WritesDisabled = HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite;
    private static readonly HybridCacheEntryOptions LookupOnly = new() { Flags = HybridCacheEntryFlags.DisableUnderlyingData | WritesDisabled };
    private static readonly CallCost ZeroCost = new() { Total = 0m };
    private static readonly Func<CancellationToken, ValueTask<CachedChatEntry>> NoFactory = static _ => ValueTask.FromResult<CachedChatEntry>(null!);

    private readonly HybridCache _cache;
    private readonly ResponseCacheOptions _options;
    private readonly string? _defaultModel;
    private readonly IUsageLedger? _ledger;
    private readonly ICostCalculator? _costCalculator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _streamsInFlight = new(StringComparer.Ordinal);
    private HybridCacheEntryOptions _lookup = LookupOnly;

    public ResponseCacheChatClient(IChatClient innerClient, HybridCache cache, ResponseCacheOptions options, string? defaultModel, IUsageLedger? ledger, ICostCalculator? costCalculator, TimeProvider? timeProvider, ILogger? logger)
        : base(innerClient)
    {
        _cache = cache;
        _options = options;
        _defaultModel = defaultModel;
        _ledger = ledger;
        _costCalculator = costCalculator;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Sets lookups to skip the in-memory level (every hit reads the second level), as on a machine that did not store the answer; for benchmarks.</summary>
    internal bool SkipLocalLevelOnLookup
    {
        init => _lookup = value ? new HybridCacheEntryOptions { Flags = LookupOnly.Flags!.Value | HybridCacheEntryFlags.DisableLocalCacheRead } : LookupOnly;
    }

    internal static IChatClient CreateStage(IServiceProvider services, IChatClient inner)
    {
        var options = services.GetRequiredService<IOptions<LlmKitOptions>>().Value;
        return new ResponseCacheChatClient(
            inner,
            services.GetRequiredService<HybridCache>(),
            options.ResponseCache ?? new ResponseCacheOptions(),
            options.DefaultModel,
            services.GetService<IUsageLedger>(),
            services.GetService<ICostCalculator>(),
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>()?.CreateLogger("LlmKit.ResponseCache"));
    }

    /// <inheritdoc/>
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var context = options.GetLlmContext();
        return TryGetPolicy(options, context, out var policy)
            ? GetCachedResponseAsync(messages, options, context, policy, cancellationToken)
            : base.GetResponseAsync(messages, options, cancellationToken);
    }

    private async Task<ChatResponse> GetCachedResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, LlmRequestContext context, Policy policy, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        string key = ResponseCacheKey.Compute(messages, options, policy.ModelKey, context.TenantId, _options.ScopeByUser ? context.UserId : null, streaming: false);
        var control = context.Cache;
        bool refresh = control?.Refresh == true;
        if (!refresh)
        {
            var found = await _cache.GetOrCreateAsync(key, NoFactory, _lookup, null, cancellationToken).ConfigureAwait(false);
            if (found?.Response is not null)
            {
                if (found.IsFresh(_time.GetUtcNow(), control?.MaxAge))
                {
                    return await HitAsync(found, context, policy, started).ConfigureAwait(false);
                }

                // Expired by the pipeline's clock, or older than this request accepts: replace it.
                refresh = true;
            }
        }

        CountRequest(hit: false, policy.Model);
        var call = new MissCall(this, messages, options, policy);
        var entryOptions = new HybridCacheEntryOptions
        {
            Expiration = policy.TimeToLive,
            LocalCacheExpiration = policy.TimeToLive,
            Flags = (refresh ? ReadsDisabled : HybridCacheEntryFlags.None) | (control?.NoStore == true ? WritesDisabled : HybridCacheEntryFlags.None),
        };
        CachedChatEntry entry;
        try
        {
            entry = await _cache.GetOrCreateAsync(key, call, static (c, token) => c.RunAsync(token), entryOptions, Tags(policy, context), cancellationToken).ConfigureAwait(false);
        }
        catch (NotStoredException notStored) when (notStored.Call == call)
        {
            return call.Response!;
        }
        catch (NotStoredException notStored)
        {
            // A concurrent identical request's answer, not to be stored: this caller gets a copy of it as a hit.
            return await HitAsync(notStored.Entry, context, policy, started).ConfigureAwait(false);
        }

        // This caller's own call, or the answer of a concurrent identical request it waited for.
        return call.Response ?? await HitAsync(entry, context, policy, started).ConfigureAwait(false);
    }

    private async Task<ChatResponse> HitAsync(CachedChatEntry entry, LlmRequestContext context, Policy policy, long started)
    {
        CountRequest(hit: true, policy.Model);
        var response = CachedChatCopies.Copy(entry.Response!, HitProperties(entry));
        await RecordHitAsync(entry, context, policy, started).ConfigureAwait(false);
        return response;
    }

    private static AdditionalPropertiesDictionary HitProperties(CachedChatEntry entry)
    {
        var properties = new AdditionalPropertiesDictionary { [LlmKitResponseProperties.Cached] = true };
        if (entry.CostUsd is { } saved)
        {
            properties[LlmKitResponseProperties.SavedCostUsd] = saved;
        }

        return properties;
    }

    /// <summary>Decides whether the cache applies to a request, and with which model key and time to live.</summary>
    private bool TryGetPolicy(ChatOptions? options, LlmRequestContext context, out Policy policy)
    {
        policy = default;
        var control = context.Cache;
        if (control?.Bypass == true)
        {
            return false;
        }

        string? model = options?.ModelId ?? _defaultModel;
        ResponseCacheModelOptions? settings = null;
        if (model is not null && _options.Models.Count > 0)
        {
            _options.Models.TryGetValue(model, out settings);
        }

        var mode = control?.Mode ?? settings?.Mode ?? _options.Mode;
        if (mode == ResponseCacheMode.Off
            || (mode == ResponseCacheMode.DeterministicOnly && options is not { Temperature: 0 } && options?.Seed is null))
        {
            return false;
        }

        // Server-side conversation state, background responses and provider-specific request factories make the answer
        // depend on more than the request; anonymised input would store answers with restored PII.
        if (options is not null
            && (options.ConversationId is not null || options.ContinuationToken is not null || options.AllowBackgroundResponses == true || options.RawRepresentationFactory is not null
                || (options.AdditionalProperties is { } properties && properties.TryGetValue(PiiSurrogateMap.AdditionalPropertiesKey, out object? map) && map is PiiSurrogateMap { Count: > 0 })))
        {
            return false;
        }

        policy = new Policy(model, settings?.CacheGroup ?? model ?? string.Empty, control?.TimeToLive ?? settings?.TimeToLive ?? _options.TimeToLive);
        return true;
    }

    private static string[] Tags(Policy policy, LlmRequestContext context)
        => [LlmResponseCache.ModelTag(policy.ModelKey), LlmResponseCache.TenantTag(context.TenantId)];

    private static void CountRequest(bool hit, string? model)
    {
        var counter = LlmKitTelemetry.CacheRequests;
        if (counter.Enabled)
        {
            var tags = new TagList { { "llmkit.cache.result", hit ? "hit" : "miss" } };
            if (model is not null)
            {
                tags.Add(GenAiAttributes.RequestModel, model);
            }

            counter.Add(1, tags);
        }
    }

    /// <summary>The entry to store for an answer (without provider objects or per-call annotations), priced as the call was.</summary>
    private CachedChatEntry CreateEntry(ChatResponse? response, IReadOnlyList<ChatResponseUpdate>? updates, AdditionalPropertiesDictionary? annotations, string? responseModel, UsageDetails? usage, Policy policy)
    {
        LlmKitResponseProperties.TryGetRoute(annotations, out var route);
        var now = _time.GetUtcNow();
        return new CachedChatEntry(
            response is null ? null : CachedChatCopies.Copy(response, null),
            updates?.Select(static u => CachedChatCopies.Copy(u, null)).ToArray(),
            now,
            now + policy.TimeToLive,
            route?.Provider,
            route?.Deployment.Name,
            responseModel,
            Price(usage, route?.ProviderModel, responseModel, route?.LogicalModel ?? policy.Model));
    }

    private decimal? Price(UsageDetails? usage, string? deploymentModel, string? responseModel, string? logicalModel)
    {
        if (usage is null || _costCalculator is null)
        {
            return null;
        }

        foreach (string? model in (ReadOnlySpan<string?>)[deploymentModel, responseModel, logicalModel])
        {
            if (model is not null && _costCalculator.Calculate(model, usage) is { Total: { } total })
            {
                return total;
            }
        }

        return null;
    }

    private ValueTask RecordHitAsync(CachedChatEntry entry, LlmRequestContext context, Policy policy, long started)
    {
        if (_ledger is null)
        {
            return default;
        }

        var record = new UsageRecord
        {
            RequestId = context.RequestId ?? RequestIds.Next(),
            Timestamp = _time.GetUtcNow(),
            TenantId = context.TenantId,
            UserId = context.UserId,
            ApiKeyId = context.ApiKeyId,
            ConversationId = context.ConversationId,
            LogicalModel = policy.Model,
            Deployment = entry.Deployment,
            Provider = entry.Provider,
            ResponseModel = entry.ResponseModel,
            TemplateId = context.TemplateId,
            TemplateVersion = context.TemplateVersion,
            Cost = ZeroCost,
            SavedCostUsd = entry.CostUsd,
            Latency = _time.GetElapsedTime(started),
            Outcome = CallOutcome.CacheHit,
            Tags = context.Tags,
        };

        try
        {
            var write = _ledger.RecordAsync(record, CancellationToken.None);
            if (write.IsCompletedSuccessfully)
            {
                _ = write.Result;
                return default;
            }

            return AwaitLedgerAsync(write, record.RequestId);
        }
#pragma warning disable CA1031 // A ledger failure must never fail the call it records; it is logged instead.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogLedgerFailure(_logger, record.RequestId, ex);
            return default;
        }
    }

    private async ValueTask AwaitLedgerAsync(ValueTask<bool> write, string requestId)
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

    /// <summary>Whether a finished answer may be stored: not tool calls, not filtered or refused, not an error, not empty.</summary>
    private static bool IsStorable(ChatFinishReason? finishReason, IEnumerable<IList<AIContent>> contents)
    {
        if (finishReason == ChatFinishReason.ToolCalls || finishReason == ChatFinishReason.ContentFilter)
        {
            return false;
        }

        bool answered = false;
        foreach (var list in contents)
        {
            for (int i = 0; i < list.Count; i++)
            {
                switch (list[i])
                {
                    case FunctionCallContent or ErrorContent or ToolCallContent:
                        return false;
                    case TextContent { Text.Length: > 0 } or DataContent or UriContent:
                        answered = true;
                        break;
                }
            }
        }

        return answered;
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Error, Message = "The usage ledger could not record cache hit {RequestId}; the call was answered from the cache")]
    private static partial void LogLedgerFailure(ILogger logger, string requestId, Exception exception);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "The response cache could not store an answer for model {Model}; the call itself succeeded")]
    private static partial void LogStoreFailure(ILogger logger, string? model, Exception exception);

    /// <summary>What the cache does for one request.</summary>
    private readonly record struct Policy(string? Model, string ModelKey, TimeSpan TimeToLive);

    /// <summary>The call below the cache on a miss, run once for every concurrent identical request.</summary>
    private sealed class MissCall(ResponseCacheChatClient owner, IEnumerable<ChatMessage> messages, ChatOptions? options, Policy policy)
    {
        /// <summary>Gets the answer, once this caller's own call returned.</summary>
        public ChatResponse? Response { get; private set; }

        public async ValueTask<CachedChatEntry> RunAsync(CancellationToken cancellationToken)
        {
            var response = await owner.InnerClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            Response = response;
            var entry = owner.CreateEntry(response, null, response.AdditionalProperties, response.ModelId, response.Usage, policy);
            if (!IsStorable(response.FinishReason, response.Messages.Select(static m => m.Contents)))
            {
                throw new NotStoredException(this, entry);
            }

            return entry;
        }
    }

    /// <summary>Carries an answer that must not be stored out of <c>HybridCache</c>'s factory, which stores whatever it returns and never an exception.</summary>
    private sealed class NotStoredException(MissCall call, CachedChatEntry entry) : Exception("The answer is not stored in the response cache.")
    {
        public MissCall Call { get; } = call;

        public CachedChatEntry Entry { get; } = entry;
    }
}
