namespace LlmKit;

/// <summary>
/// One finding the policy acts on. Keeps a reference to the evaluated text so the audit can hash the value when it
/// writes an event; deliberately not a record, so no ToString() ever prints the text.
/// </summary>
internal readonly struct GuardDecision(SafetyFinding finding, GuardAction action, string source)
{
    public SafetyFinding Finding { get; } = finding;

    public GuardAction Action { get; } = action;

    /// <summary>Gets the found value (from the evaluated text), for hashing only.</summary>
    public ReadOnlySpan<char> Value
    {
        get
        {
            int start = Math.Clamp(Finding.Start, 0, source.Length);
            return source.AsSpan(start, Math.Clamp(Finding.Length, 0, source.Length - start));
        }
    }
}
