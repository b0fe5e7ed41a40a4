using Microsoft.Extensions.Configuration;

namespace LlmKit;

/// <summary>
/// Finds the safety setting the configuration binder could not convert (it reports only that a dictionary failed),
/// so the error names the key: an unknown action or a threshold that is not a number.
/// </summary>
internal static class SafetyConfigurationErrors
{
    public static InvalidOperationException? Find(IConfigurationSection llmKit)
    {
        var safety = llmKit.GetSection(nameof(LlmKitOptions.Safety));
        if (!safety.Exists())
        {
            return null;
        }

        var policies = new List<IConfigurationSection> { safety.GetSection(nameof(SafetyOptions.Input)), safety.GetSection(nameof(SafetyOptions.Output)) };
        foreach (var tenant in safety.GetSection(nameof(SafetyOptions.Tenants)).GetChildren())
        {
            policies.Add(tenant.GetSection(nameof(TenantSafetyOptions.Input)));
            policies.Add(tenant.GetSection(nameof(TenantSafetyOptions.Output)));
        }

        foreach (var policy in policies)
        {
            var problem = CheckAction(policy.GetSection(nameof(GuardPolicyOptions.DefaultAction))) ?? CheckNumber(policy.GetSection(nameof(GuardPolicyOptions.DefaultThreshold)));
            if (problem is not null)
            {
                return problem;
            }

            foreach (var rule in policy.GetSection(nameof(GuardPolicyOptions.Rules)).GetChildren())
            {
                problem = CheckAction(rule.GetSection(nameof(GuardRuleOptions.Action))) ?? CheckNumber(rule.GetSection(nameof(GuardRuleOptions.Threshold)));
                if (problem is not null)
                {
                    return problem;
                }
            }
        }

        return null;
    }

    private static InvalidOperationException? CheckAction(IConfigurationSection action)
        => action.Value is { Length: > 0 } value && (!Enum.TryParse<GuardAction>(value, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || char.IsAsciiDigit(value[0]))
            ? new InvalidOperationException($"'{value}' at '{action.Path}' is not a guard action. Use Allow, Flag, Redact, Anonymize or Block.")
            : null;

    private static InvalidOperationException? CheckNumber(IConfigurationSection threshold)
        => threshold.Value is { Length: > 0 } value && !double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
            ? new InvalidOperationException($"'{value}' at '{threshold.Path}' is not a number between 0 and 1.")
            : null;
}
