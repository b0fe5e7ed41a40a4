namespace LlmKit;

/// <summary>
/// Keys LlmKit uses in <c>UsageDetails.AdditionalCounts</c> for counts Microsoft.Extensions.AI has no
/// property for. Provider clients fill them; cost calculation and the usage ledger read them.
/// </summary>
public static class LlmUsageKeys
{
    /// <summary>Input tokens written to the provider's prompt cache (5-minute lifetime where the provider distinguishes). Included in the input count.</summary>
    public const string CacheWriteInputTokens = "cache_write_input_tokens";

    /// <summary>Input tokens written to the provider's prompt cache with a 1-hour lifetime. Included in <see cref="CacheWriteInputTokens"/> and in the input count.</summary>
    public const string CacheWrite1HourInputTokens = "cache_write_1h_input_tokens";
}
