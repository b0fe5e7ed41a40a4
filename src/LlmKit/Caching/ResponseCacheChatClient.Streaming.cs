using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;

namespace LlmKit;

/// <summary>Streams: a hit replays the stored chunks; a miss streams through and stores the chunks once the stream completed.</summary>
internal sealed partial class ResponseCacheChatClient
{
    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var context = options.GetLlmContext();
        return TryGetPolicy(options, context, out var policy)
            ? StreamAsync(messages, options, context, policy, cancellationToken)
            : base.GetStreamingResponseAsync(messages, options, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, LlmRequestContext context, Policy policy, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        string key = ResponseCacheKey.Compute(messages, options, policy.ModelKey, context.TenantId, _options.ScopeByUser ? context.UserId : null, streaming: true);
        var control = context.Cache;
        bool refresh = control?.Refresh == true;
        TaskCompletionSource? owned = null;
        try
        {
            CachedChatEntry? hit = null;
            while (true)
            {
                if (!refresh)
                {
                    var found = await _cache.GetOrCreateAsync(key, NoFactory, _lookup, null, cancellationToken).ConfigureAwait(false);
                    if (found?.Updates is not null)
                    {
                        if (found.IsFresh(_time.GetUtcNow(), control?.MaxAge))
                        {
                            hit = found;
                            break;
                        }

                        refresh = true;
                    }
                }

                // One stream per key at a time: a concurrent identical stream waits for this one, then looks again.
                var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var running = _streamsInFlight.GetOrAdd(key, mine);
                if (running == mine)
                {
                    owned = mine;
                    break;
                }

                await running.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                refresh = false;
            }

            if (hit is not null)
            {
                CountRequest(hit: true, policy.Model);
                var properties = HitProperties(hit);
                foreach (var update in hit.Updates!)
                {
                    yield return CachedChatCopies.Copy(update, properties);
                }

                await RecordHitAsync(hit, context, policy, started).ConfigureAwait(false);
                yield break;
            }

            CountRequest(hit: false, policy.Model);
            var chunks = new List<ChatResponseUpdate>();
            await using (var enumerator = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken))
            {
                while (await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    var update = enumerator.Current;
                    chunks.Add(update);
                    yield return update;
                }
            }

            // Reached only when the stream completed and the caller read it to the end: a truncated stream is never stored.
            if (control?.NoStore != true && IsStorable(FinishReasonOf(chunks), chunks.Select(static c => c.Contents)))
            {
                await StoreStreamAsync(key, chunks, context, policy).ConfigureAwait(false);
            }
        }
        finally
        {
            if (owned is not null)
            {
                _streamsInFlight.TryRemove(new KeyValuePair<string, TaskCompletionSource>(key, owned));
                owned.TrySetResult();
            }
        }
    }

    private static ChatFinishReason? FinishReasonOf(List<ChatResponseUpdate> chunks)
    {
        ChatFinishReason? reason = null;
        foreach (var chunk in chunks)
        {
            reason = chunk.FinishReason ?? reason;
        }

        return reason;
    }

    private async Task StoreStreamAsync(string key, List<ChatResponseUpdate> chunks, LlmRequestContext context, Policy policy)
    {
        AdditionalPropertiesDictionary? annotations = null;
        string? responseModel = null;
        UsageDetails? usage = null;
        foreach (var chunk in chunks)
        {
            annotations ??= chunk.AdditionalProperties;
            responseModel = chunk.ModelId ?? responseModel;
            foreach (var content in chunk.Contents)
            {
                if (content is UsageContent u)
                {
                    usage = u.Details;
                }
            }
        }

        try
        {
            var entry = CreateEntry(null, chunks, annotations, responseModel, usage, policy);
            var entryOptions = new HybridCacheEntryOptions { Expiration = policy.TimeToLive, LocalCacheExpiration = policy.TimeToLive };
            await _cache.SetAsync(key, entry, entryOptions, Tags(policy, context), CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The caller has its answer already; a cache that cannot store it is logged, not thrown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogStoreFailure(_logger, policy.Model, ex);
        }
    }
}
