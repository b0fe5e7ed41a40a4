namespace LlmKit;

/// <summary>How the structured-output stage produced a response: the path taken and the repair rounds it needed.</summary>
/// <param name="Path">Whether the provider's schema support was used or the schema was put into the instructions.</param>
/// <param name="RepairRounds">The repair rounds taken before the answer matched its schema (0 when the first answer did).</param>
public sealed record StructuredOutputInfo(StructuredOutputPath Path, int RepairRounds)
{
    /// <summary>The key of the info in <c>ChatResponse.AdditionalProperties</c> (and on the last update of a stream).</summary>
    public const string PropertyKey = "llmkit.structured_output";
}
