namespace LlmKit;

/// <summary>Settings of the structured-output stage (<see cref="PipelineStageNames.StructuredOutput"/>).</summary>
public sealed class StructuredOutputOptions
{
    /// <summary>
    /// Gets or sets how many repair rounds follow an answer that does not match its schema: each sends the model its answer
    /// and the validation errors and asks again, metered and budgeted like any call. Defaults to 1; 0 turns repair off.
    /// A call overrides it with <see cref="StructuredOutputChatOptionsExtensions.WithRepairRounds"/>.
    /// </summary>
    public int RepairRounds { get; set; } = 1;
}
