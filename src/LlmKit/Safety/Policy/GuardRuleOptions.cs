namespace LlmKit;

/// <summary>What a guard policy does with one finding type.</summary>
public sealed class GuardRuleOptions
{
    /// <summary>Gets or sets the action. Defaults to <see cref="GuardAction.Flag"/>.</summary>
    public GuardAction Action { get; set; } = GuardAction.Flag;

    /// <summary>Gets or sets the lowest score acted on, from 0 to 1. Defaults to <see langword="null"/>: the policy's default threshold.</summary>
    public double? Threshold { get; set; }
}
