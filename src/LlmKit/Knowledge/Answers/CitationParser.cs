using System.Globalization;
using System.Text.RegularExpressions;

namespace LlmKit;

/// <summary>Finds the numbered sources an answer cites: <c>[1]</c>, <c>[2, 3]</c>, <c>[2][3]</c>.</summary>
internal static partial class CitationParser
{
    [GeneratedRegex(@"\[\s*(\d{1,4}(?:\s*[,;]\s*\d{1,4})*)\s*\]", RegexOptions.CultureInvariant)]
    private static partial Regex CitationPattern();

    /// <summary>The cited numbers between 1 and <paramref name="sourceCount"/>, distinct, in order of first citation.</summary>
    public static List<int> Parse(string text, int sourceCount)
    {
        var cited = new List<int>();
        foreach (Match match in CitationPattern().Matches(text))
        {
            foreach (string part in match.Groups[1].Value.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                int number = int.Parse(part, CultureInfo.InvariantCulture);
                if (number >= 1 && number <= sourceCount && !cited.Contains(number))
                {
                    cited.Add(number);
                }
            }
        }

        return cited;
    }
}
