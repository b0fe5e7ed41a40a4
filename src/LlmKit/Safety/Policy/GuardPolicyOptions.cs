namespace LlmKit;

/// <summary>A guard policy for one direction: an action and score threshold per finding type, and output limits.</summary>
public sealed class GuardPolicyOptions
{
    /// <summary>The score threshold of types without their own: 0.5.</summary>
    public const double StandardThreshold = 0.5;

    /// <summary>Gets or sets the rule per finding type (such as <c>EMAIL</c> or <c>PROMPT_INJECTION</c>). Defaults to none.</summary>
    public Dictionary<string, GuardRuleOptions> Rules { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the action for finding types without a rule. Defaults to <see langword="null"/>: <see cref="GuardAction.Allow"/> (for a tenant: the app's).</summary>
    public GuardAction? DefaultAction { get; set; }

    /// <summary>Gets or sets the threshold for finding types without one. Defaults to <see langword="null"/>: <see cref="StandardThreshold"/> (for a tenant: the app's).</summary>
    public double? DefaultThreshold { get; set; }

    /// <summary>Gets or sets the most characters a request's scanned messages (input) or a response (output) may have; more is a <c>LENGTH_LIMIT</c> finding. Defaults to <see langword="null"/>: no limit.</summary>
    public int? MaxCharacters { get; set; }

    /// <summary>Gets or sets how often the same line or word may repeat in a row in a response (outputs only); more is a <c>REPETITION</c> finding. Defaults to <see langword="null"/>: no limit.</summary>
    public int? MaxRepetitions { get; set; }

    /// <summary>
    /// Creates the recommended input policy: every built-in personal-data type redacted at a score of 0.5 or more,
    /// prompt-injection signals blocked at 0.7 or more. <c>llmkit scan</c> uses it when no policy is configured.
    /// </summary>
    /// <returns>A new policy.</returns>
    public static GuardPolicyOptions CreateRecommended()
    {
        var policy = new GuardPolicyOptions();
        foreach (string type in SafetyFindingTypes.PersonalData)
        {
            policy.Rules[type] = new GuardRuleOptions { Action = GuardAction.Redact, Threshold = StandardThreshold };
        }

        policy.Rules[SafetyFindingTypes.PromptInjection] = new GuardRuleOptions { Action = GuardAction.Block, Threshold = 0.7 };
        return policy;
    }
}
