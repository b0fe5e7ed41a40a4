namespace LlmKit;

/// <summary>One finding the policy acts on, with the keyed hash of its text for the audit.</summary>
internal readonly record struct GuardDecision(SafetyFinding Finding, GuardAction Action, string ValueHash);
