using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Gemini's <c>usageMetadata</c>. In streams it is cumulative and repeated on several chunks, so the last one
/// seen is the total (never summed).
/// </summary>
internal struct GeminiUsage
{
    public int? PromptTokens;
    public int? CachedTokens;
    public int? CandidatesTokens;
    public int? ThoughtsTokens;
    public int? ToolUsePromptTokens;
    public int? TotalTokens;

    public readonly bool HasValues => PromptTokens is not null || CandidatesTokens is not null || TotalTokens is not null || ThoughtsTokens is not null;

    /// <summary>
    /// Normalises to LlmKit's usage convention (cached input is part of input): input = prompt (which already holds cached tokens) + tool-use prompt;
    /// output = candidates + thoughts; reasoning = thoughts.
    /// </summary>
    public readonly UsageDetails ToUsageDetails()
    {
        long? input = Add(PromptTokens, ToolUsePromptTokens);
        long? output = Add(CandidatesTokens, ThoughtsTokens);
        return new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            CachedInputTokenCount = CachedTokens,
            ReasoningTokenCount = ThoughtsTokens,
            TotalTokenCount = TotalTokens ?? Add(input, output),
        };
    }

    private static long? Add(long? a, long? b) => a is null && b is null ? null : (a ?? 0) + (b ?? 0);
}
