using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LlmKit.Tests.Safety;

/// <summary>
/// Loads the labelled corpus (<c>safety-corpus.json</c>) and expands its placeholders with check digits computed
/// here, independently of the code under test: Luhn, ISO 7064 mod-97 (with <see cref="BigInteger"/>) and ABA.
/// </summary>
internal static partial class SafetyCorpus
{
    public static IReadOnlyList<CorpusEntry> Load(string file = "safety-corpus.json")
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Safety", "Corpus", file);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var entries = new List<CorpusEntry>();
        foreach (var e in doc.RootElement.GetProperty("entries").EnumerateArray())
        {
            var pii = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var p in e.GetProperty("pii").EnumerateObject())
            {
                pii[p.Name] = [.. p.Value.EnumerateArray().Select(v => Expand(v.GetString()!))];
            }

            bool injection = e.TryGetProperty("injection", out var inj) && inj.GetBoolean();
            entries.Add(new CorpusEntry(Expand(e.GetProperty("text").GetString()!), pii, injection));
        }

        return entries;
    }

    public static string Expand(string text) => Placeholder().Replace(text, m => m.Groups["kind"].Value switch
    {
        "luhn" => WithLuhn(m.Groups["arg"].Value),
        "iban" => Iban(m.Groups["arg"].Value, grouped: false),
        "ibang" => Iban(m.Groups["arg"].Value, grouped: true),
        "aba" => WithAba(m.Groups["arg"].Value),
        _ => throw new InvalidOperationException("Unknown placeholder " + m.Value),
    });

    /// <summary>Appends the Luhn check digit: double every second digit from the right of the full number.</summary>
    public static string WithLuhn(string body)
    {
        string digits = new([.. body.Where(char.IsAsciiDigit)]);
        int sum = 0;
        for (int k = 0; k < digits.Length; k++)
        {
            int d = digits[digits.Length - 1 - k] - '0';
            if (k % 2 == 0)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        return body + (char)('0' + ((10 - (sum % 10)) % 10));
    }

    /// <summary>Computes IBAN check digits as 98 minus (BBAN + country + "00" as a number) mod 97.</summary>
    public static string Iban(string arg, bool grouped)
    {
        string country = arg[..2], bban = arg[3..];
        var sb = new StringBuilder();
        foreach (char c in bban + country + "00")
        {
            sb.Append(char.IsAsciiDigit(c) ? c.ToString() : (c - 'A' + 10).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        int check = 98 - (int)(BigInteger.Parse(sb.ToString(), System.Globalization.CultureInfo.InvariantCulture) % 97);
        string iban = country + check.ToString("00", System.Globalization.CultureInfo.InvariantCulture) + bban;
        return grouped ? string.Join(' ', iban.Chunk(4).Select(c => new string(c))) : iban;
    }

    /// <summary>Appends the ABA check digit: weights 3, 7, 1 over the nine digits sum to a multiple of 10.</summary>
    public static string WithAba(string eight)
    {
        int[] w = [3, 7, 1, 3, 7, 1, 3, 7];
        int sum = 0;
        for (int k = 0; k < 8; k++)
        {
            sum += w[k] * (eight[k] - '0');
        }

        return eight + (char)('0' + ((10 - (sum % 10)) % 10));
    }

    [GeneratedRegex(@"\{(?<kind>luhn|iban|ibang|aba):(?<arg>[^}]+)\}")]
    private static partial Regex Placeholder();
}

/// <summary>One corpus text with its expected PII values per type and whether it is an injection attempt.</summary>
internal sealed record CorpusEntry(string Text, Dictionary<string, List<string>> Pii, bool Injection);
