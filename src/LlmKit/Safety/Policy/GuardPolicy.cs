namespace LlmKit;

/// <summary>A resolved policy for one direction (the app's, or a tenant's merged over it).</summary>
internal sealed class GuardPolicy
{
    private readonly Dictionary<string, (GuardAction Action, double Threshold)> _rules;

    private GuardPolicy(Dictionary<string, (GuardAction, double)> rules, GuardAction defaultAction, double defaultThreshold, int? maxCharacters, int? maxRepetitions)
    {
        _rules = rules;
        DefaultAction = defaultAction;
        DefaultThreshold = defaultThreshold;
        MaxCharacters = maxCharacters;
        MaxRepetitions = maxRepetitions;
        IsPassive = defaultAction == GuardAction.Allow && maxCharacters is null && maxRepetitions is null && rules.Values.All(r => r.Item1 == GuardAction.Allow);
        Anonymizes = defaultAction == GuardAction.Anonymize || rules.Values.Any(r => r.Item1 == GuardAction.Anonymize);
    }

    public static GuardPolicy Passive { get; } = new(new(StringComparer.OrdinalIgnoreCase), GuardAction.Allow, GuardPolicyOptions.StandardThreshold, null, null);

    public GuardAction DefaultAction { get; }

    public double DefaultThreshold { get; }

    public int? MaxCharacters { get; }

    public int? MaxRepetitions { get; }

    /// <summary>Gets whether the policy can never act (every type allowed, no limits).</summary>
    public bool IsPassive { get; }

    /// <summary>Gets whether some type is anonymised.</summary>
    public bool Anonymizes { get; }

    public static GuardPolicy Create(GuardPolicyOptions app, GuardPolicyOptions? tenant)
    {
        var rules = new Dictionary<string, (GuardAction, double)>(StringComparer.OrdinalIgnoreCase);
        var defaultAction = tenant?.DefaultAction ?? app.DefaultAction ?? GuardAction.Allow;
        double defaultThreshold = tenant?.DefaultThreshold ?? app.DefaultThreshold ?? GuardPolicyOptions.StandardThreshold;
        foreach (var (type, rule) in app.Rules)
        {
            rules[type] = (rule.Action, rule.Threshold ?? app.DefaultThreshold ?? GuardPolicyOptions.StandardThreshold);
        }

        if (tenant is not null)
        {
            foreach (var (type, rule) in tenant.Rules)
            {
                rules[type] = (rule.Action, rule.Threshold ?? defaultThreshold);
            }
        }

        return new GuardPolicy(rules, defaultAction, defaultThreshold, tenant?.MaxCharacters ?? app.MaxCharacters, tenant?.MaxRepetitions ?? app.MaxRepetitions);
    }

    /// <summary>Returns the action for a finding: its type's rule (or the default) when the score reaches the threshold, else allow.</summary>
    public GuardAction Decide(in SafetyFinding finding)
    {
        if (_rules.TryGetValue(finding.Type, out var rule))
        {
            return finding.Score >= rule.Threshold ? rule.Action : GuardAction.Allow;
        }

        if (finding.Type is SafetyFindingTypes.LengthLimit or SafetyFindingTypes.Repetition)
        {
            return GuardAction.Block;
        }

        return finding.Score >= DefaultThreshold ? DefaultAction : GuardAction.Allow;
    }
}
