namespace LlmKit;

/// <summary>
/// LlmKit's built-in recognizer: every PII type of <see cref="SafetyFindingTypes.PersonalData"/> with validation
/// (Luhn, mod-97, Base58Check, Bech32, ABA checksum, SSN ranges, IP parsing, dates) and context words, and the
/// prompt-injection signals (override phrasing in English, German, French, Spanish, Italian, Portuguese and
/// Dutch; spoofed role tags; delimiter attacks; Base64 and hex payloads; invisible Unicode), in one pass over the
/// text after NFKC normalisation and folding of look-alike letters. Thread-safe and stateless.
/// </summary>
public sealed class BuiltInSafetyRecognizer : ISafetyRecognizer
{
    private static readonly string[] Types = [.. SafetyFindingTypes.PersonalData, SafetyFindingTypes.PromptInjection];

    /// <summary>Gets the shared instance.</summary>
    public static BuiltInSafetyRecognizer Instance { get; } = new();

    /// <summary>Gets the recognizer's name: <c>llmkit-builtin</c>. Findings name the specific recognizer, such as <c>CreditCardRecognizer</c>.</summary>
    public string Name => "llmkit-builtin";

    /// <inheritdoc/>
    public IReadOnlyCollection<string> SupportedTypes => Types;

    /// <summary>Scans <paramref name="text"/>; offsets are relative to <paramref name="text"/> as given (normalisation is internal).</summary>
    /// <param name="text">The text.</param>
    /// <param name="findings">Where findings go.</param>
    public void Analyze(string text, ICollection<SafetyFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(findings);
        var list = findings as List<SafetyFinding> ?? [];
        Analyze(text.AsSpan(), list);
        if (!ReferenceEquals(list, findings))
        {
            foreach (var f in list)
            {
                findings.Add(f);
            }
        }
    }

    /// <summary>Scans a span, normalising it first, and adds findings with offsets into the span.</summary>
    internal static void Analyze(ReadOnlySpan<char> text, List<SafetyFinding> findings)
    {
        if (!TextNormalizer.TryNormalize(text, findings, out var normalized))
        {
            SafetyScanner.Scan(text, findings);
            return;
        }

        using (normalized)
        {
            int fromScan = findings.Count;
            SafetyScanner.Scan(normalized.Text, findings);
            for (int k = fromScan; k < findings.Count; k++)
            {
                var f = findings[k];
                var (start, length) = normalized.MapSpan(f.Start, f.Length);
                findings[k] = f with { Start = start, Length = length };
            }
        }
    }
}
