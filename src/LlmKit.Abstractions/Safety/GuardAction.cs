namespace LlmKit;

/// <summary>What a guard policy does with a finding.</summary>
public enum GuardAction
{
    /// <summary>Let the text through unchanged and record nothing.</summary>
    Allow = 0,

    /// <summary>Let the text through unchanged and record an audit event.</summary>
    Flag,

    /// <summary>Replace the span with a mask such as <c>[EMAIL]</c>; the original is not restored.</summary>
    Redact,

    /// <summary>Replace the span with a numbered placeholder such as <c>[EMAIL_1]</c> and restore the original in the response.</summary>
    Anonymize,

    /// <summary>Refuse the call with a <see cref="ContentBlockedException"/>.</summary>
    Block,
}
