namespace LlmKit;

/// <summary>The response cache settings of one logical model (<c>LlmKit:ResponseCache:Models:{model}</c>).</summary>
public sealed class ResponseCacheModelOptions
{
    /// <summary>Gets or sets which requests to this model are cached; <see langword="null"/> (the default) keeps the app-wide mode.</summary>
    public ResponseCacheMode? Mode { get; set; }

    /// <summary>Gets or sets how long this model's answers are kept; <see langword="null"/> (the default) keeps the app-wide time to live.</summary>
    public TimeSpan? TimeToLive { get; set; }

    /// <summary>
    /// Gets or sets the cache group the model's answers are keyed by instead of the model's name, so that one answer serves
    /// every model (or alias) of the group; <see langword="null"/> (the default) keys by the model's name.
    /// </summary>
    public string? CacheGroup { get; set; }
}
