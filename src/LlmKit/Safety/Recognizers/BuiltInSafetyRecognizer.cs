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

    private readonly PhoneNumberMatcher _phones;

    /// <summary>Initializes a new instance of the <see cref="BuiltInSafetyRecognizer"/> class without preferred phone regions.</summary>
    public BuiltInSafetyRecognizer()
        : this([])
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BuiltInSafetyRecognizer"/> class.</summary>
    /// <param name="phoneRegions">
    /// ISO 3166-1 region codes (such as <c>GB</c>, <c>DE</c>) whose phone numbers score 0.1 higher and whose national
    /// formats are tried first; numbers of every other region are still found. Empty: no preferred region.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="phoneRegions"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A region code is not one libphonenumber knows.</exception>
    public BuiltInSafetyRecognizer(IEnumerable<string> phoneRegions)
    {
        ArgumentNullException.ThrowIfNull(phoneRegions);
        var regions = phoneRegions.ToList();
        foreach (string region in regions)
        {
            if (region is null || !PhoneNumberMatcher.IsSupportedRegion(region.ToUpperInvariant()))
            {
                throw new ArgumentException($"'{region}' is not a phone region: use an ISO 3166-1 alpha-2 code such as GB, DE or US.", nameof(phoneRegions));
            }
        }

        _phones = regions.Count == 0 ? PhoneNumberMatcher.Default : new PhoneNumberMatcher(regions);
    }

    /// <summary>Gets the shared instance, without preferred phone regions.</summary>
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
        AnalyzeSpan(text.AsSpan(), list);
        if (!ReferenceEquals(list, findings))
        {
            foreach (var f in list)
            {
                findings.Add(f);
            }
        }
    }

    /// <summary>Scans a span, normalising it first, and adds findings with offsets into the span.</summary>
    internal void AnalyzeSpan(ReadOnlySpan<char> text, List<SafetyFinding> findings)
    {
        if (!TextNormalizer.TryNormalize(text, findings, out var normalized))
        {
            SafetyScanner.Scan(text, findings, phones: _phones);
            return;
        }

        using (normalized)
        {
            int fromScan = findings.Count;
            SafetyScanner.Scan(normalized.Text, findings, phones: _phones);
            for (int k = fromScan; k < findings.Count; k++)
            {
                var f = findings[k];
                var (start, length) = normalized.MapSpan(f.Start, f.Length);
                findings[k] = f with { Start = start, Length = length };
            }
        }
    }
}
