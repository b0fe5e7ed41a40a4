using System.Text.RegularExpressions;

namespace LlmKit;

/// <summary>Checks <see cref="SafetyOptions"/> and reports each problem with its configuration key.</summary>
internal static class SafetyOptionsValidator
{
    private const string Root = "LlmKit:Safety";

    public static void Validate(SafetyOptions? safety, Action<string, string> problem)
    {
        if (safety is null)
        {
            return;
        }

        ValidatePolicy(safety.Input, Root + ":Input", problem);
        ValidatePolicy(safety.Output, Root + ":Output", problem);
        foreach (var (tenant, options) in safety.Tenants)
        {
            string key = $"{Root}:Tenants:{tenant}";
            if (options is null || (options.Input is null && options.Output is null))
            {
                problem(key, "the tenant has no policy; set its 'Input' or 'Output' policy or remove it.");
                continue;
            }

            ValidatePolicy(options.Input, key + ":Input", problem);
            ValidatePolicy(options.Output, key + ":Output", problem);
        }

        for (int k = 0; k < safety.PhoneRegions.Count; k++)
        {
            string? region = safety.PhoneRegions[k];
            if (region is null || !PhoneNumberMatcher.IsSupportedRegion(region.ToUpperInvariant()))
            {
                problem($"{Root}:PhoneRegions:{k}", $"'{region}' is not a phone region: use an ISO 3166-1 alpha-2 code such as GB, DE or US.");
            }
        }

        foreach (var (category, words) in safety.WordLists)
        {
            if (!IsTypeName(category))
            {
                problem($"{Root}:WordLists:{category}", "a category name becomes a finding type: use letters, digits and underscores, starting with a letter (for example 'VIOLENCE').");
            }
            else if (words is null || words.All(string.IsNullOrWhiteSpace))
            {
                problem($"{Root}:WordLists:{category}", "the word list is empty; add words or remove the category.");
            }
        }

        foreach (var (name, custom) in safety.CustomRecognizers)
        {
            string key = $"{Root}:CustomRecognizers:{name}";
            if (custom is null)
            {
                problem(key, "the recognizer is empty; set its 'Type' and 'Pattern'.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(custom.Type) || !IsTypeName(custom.Type))
            {
                problem(key + ":Type", "is required: a finding type of letters, digits and underscores, such as 'EMPLOYEE_ID'.");
            }

            if (string.IsNullOrWhiteSpace(custom.Pattern))
            {
                problem(key + ":Pattern", "is required: a regular expression.");
            }
            else
            {
                try
                {
                    _ = new Regex(custom.Pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException ex)
                {
                    problem(key + ":Pattern", $"is not a valid regular expression: {ex.Message}");
                }
            }

            if (custom.Score is < 0 or > 1 || double.IsNaN(custom.Score))
            {
                problem(key + ":Score", $"{custom.Score} must be between 0 and 1.");
            }
        }

        if (safety.AuditHashKey is { } hashKey)
        {
            byte[] buffer = new byte[(hashKey.Length * 3 / 4) + 3];
            if (!Convert.TryFromBase64String(hashKey, buffer, out int length) || length < 16)
            {
                problem(Root + ":AuditHashKey", "must be Base64 of at least 16 random bytes (for example the output of 'openssl rand -base64 32').");
            }
        }

        if (safety.UntrustedContentBoost is < 0 or > 1 || double.IsNaN(safety.UntrustedContentBoost))
        {
            problem(Root + ":UntrustedContentBoost", $"{safety.UntrustedContentBoost} must be between 0 and 1.");
        }
    }

    private static void ValidatePolicy(GuardPolicyOptions? policy, string key, Action<string, string> problem)
    {
        if (policy is null)
        {
            return;
        }

        foreach (var (type, rule) in policy.Rules)
        {
            string ruleKey = $"{key}:Rules:{type}";
            if (!IsTypeName(type))
            {
                problem(ruleKey, $"'{type}' is not a finding type: use letters, digits and underscores, such as {string.Join(", ", SafetyFindingTypes.PersonalData.Take(4))} or {SafetyFindingTypes.PromptInjection}.");
            }

            if (rule is null)
            {
                problem(ruleKey, "the rule is empty; set its 'Action' (Allow, Flag, Redact, Anonymize or Block).");
                continue;
            }

            if (!Enum.IsDefined(rule.Action))
            {
                problem(ruleKey + ":Action", $"'{rule.Action}' is not an action. Use Allow, Flag, Redact, Anonymize or Block.");
            }

            if (rule.Threshold is { } threshold && (threshold is < 0 or > 1 || double.IsNaN(threshold)))
            {
                problem(ruleKey + ":Threshold", $"{threshold} must be between 0 and 1.");
            }
        }

        if (policy.DefaultThreshold is { } t && (t is < 0 or > 1 || double.IsNaN(t)))
        {
            problem(key + ":DefaultThreshold", $"{t} must be between 0 and 1.");
        }

        if (policy.DefaultAction is { } a && !Enum.IsDefined(a))
        {
            problem(key + ":DefaultAction", $"'{a}' is not an action. Use Allow, Flag, Redact, Anonymize or Block.");
        }

        if (policy.MaxCharacters is <= 0)
        {
            problem(key + ":MaxCharacters", $"{policy.MaxCharacters} must be positive.");
        }

        if (policy.MaxRepetitions is <= 1)
        {
            problem(key + ":MaxRepetitions", $"{policy.MaxRepetitions} must be at least 2.");
        }
    }

    private static bool IsTypeName(string type)
    {
        if (type.Length == 0 || !char.IsAsciiLetter(type[0]))
        {
            return false;
        }

        foreach (char c in type)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
