namespace LlmKit;

/// <summary>
/// Something a guard found in a text: a kind of personal data, a prompt-injection signal, a moderation category.
/// </summary>
/// <param name="Type">The finding type, such as <c>EMAIL</c>, <c>CREDIT_CARD</c> or <c>PROMPT_INJECTION</c>.</param>
/// <param name="Start">The offset of the span in UTF-16 code units.</param>
/// <param name="Length">The length of the span in UTF-16 code units.</param>
/// <param name="Score">The confidence, from 0 to 1.</param>
/// <param name="Recognizer">The name of the recognizer or detector that found it.</param>
public readonly record struct SafetyFinding(string Type, int Start, int Length, double Score, string Recognizer)
{
    /// <summary>
    /// Gets what the recognizer knows about the value beyond its type, such as a phone number's region and number
    /// type (<c>GB MOBILE</c>, <c>US FIXED_LINE_OR_MOBILE</c>) or a national identifier's country. Defaults to
    /// <see langword="null"/>: nothing more.
    /// </summary>
    public string? Detail { get; init; }
}
