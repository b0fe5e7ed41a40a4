namespace LlmKit;

/// <summary>
/// How one request uses the response cache, set on <see cref="LlmRequestContext.Cache"/>. Every member defaults to
/// "as configured": a default instance changes nothing.
/// </summary>
public sealed record ResponseCacheControl
{
    /// <summary>Gets a value indicating whether the request skips the cache entirely: no lookup, no store, no cache metrics. Defaults to <see langword="false"/>.</summary>
    public bool Bypass { get; init; }

    /// <summary>Gets a value indicating whether the request ignores any stored answer, calls the model and stores the new answer. Defaults to <see langword="false"/>.</summary>
    public bool Refresh { get; init; }

    /// <summary>Gets a value indicating whether the request may be answered from the cache but its own answer is never stored. Defaults to <see langword="false"/>.</summary>
    public bool NoStore { get; init; }

    /// <summary>Gets the oldest stored answer the request accepts; an older one is treated as a miss and replaced. <see langword="null"/> (the default) accepts any unexpired answer.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>Gets how long this request's answer is kept, overriding the app's and the model's setting; <see langword="null"/> (the default) keeps the configured one.</summary>
    public TimeSpan? TimeToLive { get; init; }

    /// <summary>Gets the cache mode for this request, overriding the app's and the model's; <see langword="null"/> (the default) keeps the configured one.</summary>
    public ResponseCacheMode? Mode { get; init; }
}
