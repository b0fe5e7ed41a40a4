using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace LlmKit;

/// <summary>
/// The base id of a dated snapshot id, as providers return them in responses: <c>gpt-4o-2024-08-06</c> (<c>-YYYY-MM-DD</c>),
/// <c>claude-sonnet-4-5-20250929</c> (<c>-YYYYMMDD</c>), <c>gemini-2.0-flash-001</c> (<c>-NNN</c>). Only a suffix that is
/// a real calendar date, or exactly three digits, is taken off; anything else is no snapshot id.
/// </summary>
internal static class ModelSnapshotIds
{
    /// <summary>Takes a snapshot suffix off <paramref name="id"/>.</summary>
    /// <param name="id">The model id.</param>
    /// <param name="baseId">The id without its suffix.</param>
    /// <returns><see langword="true"/> when <paramref name="id"/> ends in a snapshot suffix after a non-empty base.</returns>
    public static bool TryGetBaseId(string id, [NotNullWhen(true)] out string? baseId)
    {
        baseId = null;
        ReadOnlySpan<char> span = id;

        // -YYYY-MM-DD
        if (span.Length > 11 && span[^11] == '-' && span[^6] == '-' && span[^3] == '-'
            && IsDate(span[^10..^6], span[^5..^3], span[^2..]))
        {
            baseId = id[..^11];
            return true;
        }

        // -YYYYMMDD
        if (span.Length > 9 && span[^9] == '-' && IsDate(span[^8..^4], span[^4..^2], span[^2..]))
        {
            baseId = id[..^9];
            return true;
        }

        // -NNN (Gemini's stable versions).
        if (span.Length > 4 && span[^4] == '-' && IsDigits(span[^3..]))
        {
            baseId = id[..^4];
            return true;
        }

        return false;
    }

    private static bool IsDate(ReadOnlySpan<char> year, ReadOnlySpan<char> month, ReadOnlySpan<char> day)
        => IsDigits(year) && IsDigits(month) && IsDigits(day)
        && int.Parse(year, CultureInfo.InvariantCulture) is >= 2000 and <= 2199
        && int.Parse(month, CultureInfo.InvariantCulture) is var m and >= 1 and <= 12
        && int.Parse(day, CultureInfo.InvariantCulture) is var d and >= 1
        && d <= DateTime.DaysInMonth(int.Parse(year, CultureInfo.InvariantCulture), m);

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return !text.IsEmpty;
    }
}
