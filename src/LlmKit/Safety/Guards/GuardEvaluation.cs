namespace LlmKit;

/// <summary>The outcome of evaluating one text against a guard policy.</summary>
public sealed class GuardEvaluation
{
    internal GuardEvaluation(string text, IReadOnlyList<SafetyFinding> findings, IReadOnlyList<GuardDecision> decisions, GuardAction action)
    {
        Text = text;
        Findings = findings;
        Decisions = decisions;
        Action = action;
        var acted = new List<SafetyFinding>(decisions.Count);
        foreach (var d in decisions)
        {
            acted.Add(d.Finding);
        }

        ActedOn = acted;
    }

    /// <summary>Gets the text after redaction and anonymisation (the input unchanged when nothing was replaced).</summary>
    public string Text { get; }

    /// <summary>Gets every finding with its score, by start offset, whether the policy acts on it or not.</summary>
    public IReadOnlyList<SafetyFinding> Findings { get; }

    /// <summary>Gets the findings the policy acts on (an action other than allow, at or above the threshold), by start offset.</summary>
    public IReadOnlyList<SafetyFinding> ActedOn { get; }

    /// <summary>Gets the strictest action taken (<see cref="GuardAction.Allow"/> when none).</summary>
    public GuardAction Action { get; }

    /// <summary>Gets the finding types that block the text, without duplicates. Empty unless <see cref="Action"/> is <see cref="GuardAction.Block"/>.</summary>
    public IReadOnlyList<string> BlockingTypes => [.. Decisions.Where(d => d.Action == GuardAction.Block).Select(d => d.Finding.Type).Distinct(StringComparer.Ordinal)];

    internal IReadOnlyList<GuardDecision> Decisions { get; }
}
