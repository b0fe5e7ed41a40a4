using System.Collections.Concurrent;
using System.Collections.Frozen;
using PhoneNumbers;

namespace LlmKit;

/// <summary>
/// Validates phone-number candidates the scanner found with libphonenumber (Google's metadata, the same Presidio's
/// phone recognizer relies on). An international number (<c>+</c> or <c>00</c>) is parsed on its own; a national
/// number is tried in the preferred regions first, then in every region whose numbers can have its length. Thread-safe.
/// </summary>
internal sealed class PhoneNumberMatcher
{
    /// <summary>Regions tried first for national numbers when no preferred region matches, by how many people use them.</summary>
    private static readonly string[] CommonRegions = ["US", "IN", "CN", "BR", "GB", "DE", "FR", "JP", "IT", "ES", "MX", "CA", "AU", "NL", "RU", "IL", "SG", "CH", "AT", "BE", "SE", "PL"];

    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    private static readonly FrozenSet<string> Supported = Util.GetSupportedRegions().ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Gets the matcher without preferred regions.</summary>
    public static PhoneNumberMatcher Default { get; } = new([]);

    private readonly string[] _preferred;
    private readonly FrozenSet<string> _preferredSet;
    private readonly string[] _order;
    private readonly ConcurrentDictionary<int, string[]> _regionsByLength = new();

    /// <summary>Initializes a new instance of the <see cref="PhoneNumberMatcher"/> class.</summary>
    /// <param name="preferredRegions">ISO 3166 region codes (upper case) scored higher and tried first.</param>
    public PhoneNumberMatcher(IEnumerable<string> preferredRegions)
    {
        _preferred = [.. preferredRegions.Select(r => r.ToUpperInvariant()).Distinct(StringComparer.Ordinal)];
        _preferredSet = _preferred.ToFrozenSet(StringComparer.Ordinal);
        _order = [.. _preferred, .. CommonRegions.Where(r => !_preferredSet.Contains(r)), .. Supported.Order(StringComparer.Ordinal).Where(r => !_preferredSet.Contains(r) && !CommonRegions.Contains(r))];
    }

    /// <summary>Returns whether libphonenumber supports the region code (upper case ISO 3166-1 alpha-2).</summary>
    /// <param name="region">The region code.</param>
    /// <returns><see langword="true"/> when it is supported.</returns>
    public static bool IsSupportedRegion(string region) => Supported.Contains(region);

    /// <summary>Validates a candidate and returns what it is.</summary>
    /// <param name="candidate">The text of the candidate, as written (digits, separators, <c>+</c>, parentheses).</param>
    /// <param name="nationalDigits">The number of digits in it.</param>
    /// <returns>The match, or <see langword="null"/> when it is not a valid number in any region tried.</returns>
    public PhoneMatch? Match(ReadOnlySpan<char> candidate, int nationalDigits)
    {
        string text = candidate.ToString();
        bool international = candidate[0] == '+' || (candidate.Length > 2 && candidate[0] == '0' && candidate[1] == '0');
        if (international)
        {
            string e164 = candidate[0] == '+' ? text : "+" + text[2..];
            return TryParse(e164, "ZZ", out var number) && Util.IsValidNumber(number) ? Describe(number, Util.GetRegionCodeForNumber(number)) : null;
        }

        foreach (string region in RegionsFor(nationalDigits))
        {
            if (TryParse(text, region, out var number) && Util.IsValidNumberForRegion(number, region))
            {
                return Describe(number, region);
            }
        }

        return null;
    }

    private PhoneMatch Describe(PhoneNumber number, string region)
        => new(region, Util.GetNumberType(number), _preferredSet.Contains(region));

    private static bool TryParse(string text, string region, out PhoneNumber number)
    {
        try
        {
            number = Util.Parse(text, region);
            return true;
        }
        catch (NumberParseException)
        {
            number = null!;
            return false;
        }
    }

    /// <summary>The regions, in trial order, whose national numbers can have <paramref name="digits"/> digits (with or without a one-digit trunk prefix).</summary>
    private string[] RegionsFor(int digits) => _regionsByLength.GetOrAdd(digits, d => [.. _order.Where(r => _preferredSet.Contains(r) || CanHaveLength(r, d))]);

    private static bool CanHaveLength(string region, int digits)
    {
        var desc = Util.GetMetadataForRegion(region)?.GeneralDesc;
        if (desc is null)
        {
            return false;
        }

        var lengths = desc.PossibleLengthList;
        return lengths.Contains(digits) || lengths.Contains(digits - 1);
    }
}

/// <summary>A valid phone number's region and type.</summary>
/// <param name="Region">The ISO 3166-1 region code, such as <c>GB</c>.</param>
/// <param name="Type">libphonenumber's number type.</param>
/// <param name="Preferred">Whether the region is one the app prefers.</param>
internal readonly record struct PhoneMatch(string Region, PhoneNumberType Type, bool Preferred)
{
    /// <summary>Gets the finding's detail: region and type, such as <c>GB MOBILE</c>.</summary>
    public string Detail => Region + " " + Type switch
    {
        PhoneNumberType.FIXED_LINE => "FIXED_LINE",
        PhoneNumberType.MOBILE => "MOBILE",
        PhoneNumberType.FIXED_LINE_OR_MOBILE => "FIXED_LINE_OR_MOBILE",
        PhoneNumberType.TOLL_FREE => "TOLL_FREE",
        PhoneNumberType.PREMIUM_RATE => "PREMIUM_RATE",
        PhoneNumberType.SHARED_COST => "SHARED_COST",
        PhoneNumberType.VOIP => "VOIP",
        PhoneNumberType.PERSONAL_NUMBER => "PERSONAL_NUMBER",
        PhoneNumberType.PAGER => "PAGER",
        PhoneNumberType.UAN => "UAN",
        PhoneNumberType.VOICEMAIL => "VOICEMAIL",
        _ => "UNKNOWN",
    };
}
