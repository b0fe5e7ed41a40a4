using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// Invalidates answers in LlmKit's response cache by tag: every answer of a model (or of its cache group), or every answer
/// of a tenant. Resolve it from DI; it works on the <c>HybridCache</c> the pipeline uses, so with a shared second level
/// (Redis) the invalidation reaches answers stored by every machine that checks tags through it.
/// </summary>
public sealed class LlmResponseCache
{
    private const string ModelTagPrefix = "llmkit-model:";
    private const string TenantTagPrefix = "llmkit-tenant:";
    private const string NoTenantTag = "llmkit-no-tenant";

    private readonly HybridCache _cache;
    private readonly ResponseCacheOptions _options;

    internal LlmResponseCache(HybridCache cache, IOptions<LlmKitOptions> options)
    {
        _cache = cache;
        _options = options.Value.ResponseCache ?? new ResponseCacheOptions();
    }

    /// <summary>
    /// Invalidates every stored answer of <paramref name="model"/>: of its cache group when
    /// <see cref="ResponseCacheModelOptions.CacheGroup"/> sets one (so of every model of that group), else of the model itself.
    /// </summary>
    /// <param name="model">The logical model (alias or id, as requests name it) or a cache group's name.</param>
    /// <param name="cancellationToken">Cancels the invalidation.</param>
    /// <returns>A task that completes when the answers are invalidated.</returns>
    /// <exception cref="ArgumentException"><paramref name="model"/> is <see langword="null"/> or blank.</exception>
    public ValueTask InvalidateModelAsync(string model, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        string key = _options.Models.TryGetValue(model, out var settings) && settings?.CacheGroup is { } group ? group : model;
        return _cache.RemoveByTagAsync(ModelTag(key), cancellationToken);
    }

    /// <summary>Invalidates every stored answer of a tenant.</summary>
    /// <param name="tenantId">The tenant (<see cref="LlmRequestContext.TenantId"/>); <see langword="null"/> for the answers of requests without a tenant.</param>
    /// <param name="cancellationToken">Cancels the invalidation.</param>
    /// <returns>A task that completes when the answers are invalidated.</returns>
    public ValueTask InvalidateTenantAsync(string? tenantId, CancellationToken cancellationToken = default)
        => _cache.RemoveByTagAsync(TenantTag(tenantId), cancellationToken);

    internal static string ModelTag(string modelKey) => ModelTagPrefix + modelKey;

    internal static string TenantTag(string? tenantId) => tenantId is null ? NoTenantTag : TenantTagPrefix + tenantId;
}
