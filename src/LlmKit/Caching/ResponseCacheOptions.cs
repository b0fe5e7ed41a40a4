namespace LlmKit;

/// <summary>
/// Settings of the response cache stage (configuration section <c>LlmKit:ResponseCache</c>): which requests are answered
/// from the cache, for how long answers are kept and how they are scoped. Answers go through <c>HybridCache</c>: in
/// memory, plus any <c>IDistributedCache</c> the host registers (Redis, or LlmKit.Sqlite's) as the second level.
/// </summary>
public sealed class ResponseCacheOptions
{
    /// <summary>Gets or sets which requests are cached app-wide. Defaults to <see cref="ResponseCacheMode.Off"/>.</summary>
    public ResponseCacheMode Mode { get; set; } = ResponseCacheMode.Off;

    /// <summary>Gets or sets how long an answer is kept. Defaults to one hour; must be positive.</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Gets or sets a value indicating whether answers are kept per end user (<see cref="LlmRequestContext.UserId"/>) as
    /// well as per tenant. Defaults to <see langword="false"/>: users of one tenant share answers; tenants never do.
    /// </summary>
    public bool ScopeByUser { get; set; }

    /// <summary>Gets or sets the settings per logical model (alias or id, case-insensitive), overriding the app-wide ones. Defaults to empty.</summary>
    public Dictionary<string, ResponseCacheModelOptions> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
