namespace LlmKit;

/// <summary>What a call asks the budget manager to admit.</summary>
public sealed record BudgetAdmissionRequest
{
    /// <summary>Gets the request id; reserving twice with the same id returns the first reservation.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets the request context (tenant, user, key, conversation, extra scopes).</summary>
    public required LlmRequestContext Context { get; init; }

    /// <summary>Gets the logical model or model id the call is for.</summary>
    public required string Model { get; init; }

    /// <summary>Gets the estimated cost in USD of the call (exact input plus the maximum output), or <see langword="null"/> when the price is unknown.</summary>
    public decimal? EstimatedUsd { get; init; }

    /// <summary>Gets the estimated tokens of the call (input plus the maximum output).</summary>
    public long EstimatedTokens { get; init; }
}
