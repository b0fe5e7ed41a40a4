namespace LlmKit;

/// <summary>
/// Finds one or more kinds of sensitive content in a text (PII patterns with validation,
/// prompt-injection phrasing...). Implementations are thread-safe and do not allocate per
/// character scanned.
/// </summary>
public interface ISafetyRecognizer
{
    /// <summary>Gets the recognizer's name, recorded on its findings.</summary>
    string Name { get; }

    /// <summary>Gets the finding types it can report, such as <c>EMAIL</c>.</summary>
    IReadOnlyCollection<string> SupportedTypes { get; }

    /// <summary>Scans <paramref name="text"/> and adds what it finds to <paramref name="findings"/>.</summary>
    /// <param name="text">The text, already Unicode-normalised by the guard.</param>
    /// <param name="findings">Where to add findings; offsets are relative to <paramref name="text"/>.</param>
    void Analyze(string text, ICollection<SafetyFinding> findings);
}
