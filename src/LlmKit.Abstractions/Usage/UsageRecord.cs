namespace LlmKit;

/// <summary>
/// One entry of the usage ledger: one model round trip through the pipeline, whatever retries or
/// fallbacks it took. Idempotent by <see cref="RequestId"/>, the record's own id.
/// </summary>
public sealed record UsageRecord
{
    /// <summary>
    /// Gets the record's own id, unique per model round trip (the metering stage draws a new one for each); a second
    /// record with the same id is ignored. The caller's request id is <see cref="CorrelationId"/>.
    /// </summary>
    public required string RequestId { get; init; }

    /// <summary>
    /// Gets the caller's request id (<see cref="LlmRequestContext.RequestId"/>), shared by every round trip the caller's
    /// request made (a tool loop makes several), or <see langword="null"/> when the caller set none.
    /// </summary>
    public string? CorrelationId { get; init; }

    /// <summary>Gets the id of the tool-loop (agent) run the round trip belongs to (<see cref="LlmRequestContext.RunId"/>), or <see langword="null"/> outside a run.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets when the call started.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the tenant, or <see langword="null"/>.</summary>
    public string? TenantId { get; init; }

    /// <summary>Gets the end user, or <see langword="null"/>.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets the caller's API key id, or <see langword="null"/>.</summary>
    public string? ApiKeyId { get; init; }

    /// <summary>Gets the conversation, or <see langword="null"/>.</summary>
    public string? ConversationId { get; init; }

    /// <summary>Gets the logical model (alias or id) the caller asked for.</summary>
    public string? LogicalModel { get; init; }

    /// <summary>Gets the deployment that served the call, or <see langword="null"/> when none did.</summary>
    public string? Deployment { get; init; }

    /// <summary>Gets the provider that served the call, or <see langword="null"/>.</summary>
    public string? Provider { get; init; }

    /// <summary>Gets the model the provider reported, or <see langword="null"/>.</summary>
    public string? ResponseModel { get; init; }

    /// <summary>Gets the template id, or <see langword="null"/>.</summary>
    public string? TemplateId { get; init; }

    /// <summary>Gets the template version, or <see langword="null"/>.</summary>
    public int? TemplateVersion { get; init; }

    /// <summary>Gets all input tokens, cached and cache-write ones included.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the input tokens read from the provider's prompt cache.</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Gets the input tokens written to the provider's prompt cache.</summary>
    public long CacheWriteTokens { get; init; }

    /// <summary>Gets all output tokens, reasoning ones included.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the reasoning (thinking) output tokens.</summary>
    public long ReasoningTokens { get; init; }

    /// <summary>Gets the cost breakdown. Defaults to an unknown cost ("not priced").</summary>
    public CallCost Cost { get; init; } = NotPriced;

    /// <summary>Gets the wall-clock duration of the call.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Gets how the call ended.</summary>
    public CallOutcome Outcome { get; init; }

    /// <summary>Gets the failure class when the call failed, or <see langword="null"/>.</summary>
    public LlmFailureKind? FailureKind { get; init; }

    /// <summary>
    /// Gets, for a call the response cache answered (<see cref="CallOutcome.CacheHit"/>), what the original call cost in USD
    /// (priced as that call was); <see langword="null"/> (the default) for other calls or when that cost is unknown.
    /// </summary>
    public decimal? SavedCostUsd { get; init; }

    /// <summary>Gets the request context's tags. Defaults to empty.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyTags;

    // Shared defaults: a record is created per call and these are almost always replaced.
    private static readonly CallCost NotPriced = CallCost.Unknown("not priced");
    private static readonly IReadOnlyDictionary<string, string> EmptyTags = new Dictionary<string, string>();
}
