using System.Globalization;
using System.Text;

namespace LlmKit;

/// <summary>
/// Prepares text for scanning: NFKC compatibility normalisation (fullwidth letters, mathematical alphanumerics,
/// ligatures), Cyrillic and Greek look-alikes folded to Latin inside Latin words, invisible characters removed
/// and reported (tag characters, bidi overrides and isolates, zero-width characters), and tag-character text
/// ("ASCII smuggling") decoded so the phrasing it hides is scanned too. Keeps a map from every normalised
/// character back to its offset in the original, so findings report original offsets. ASCII-only text and text
/// whose non-ASCII characters are already NFKC-stable is not copied.
/// </summary>
internal static class TextNormalizer
{
    /// <summary>The recognizer name on invisible-character findings.</summary>
    public const string InvisibleRecognizer = "InvisibleUnicodeRecognizer";

    /// <summary>
    /// Normalises <paramref name="text"/>. Returns <see langword="false"/> when the text needs no change (then
    /// <paramref name="result"/> is empty); otherwise the caller must <see cref="NormalizedText.Dispose"/> the result.
    /// Invisible-character findings go to <paramref name="findings"/> with original offsets either way.
    /// </summary>
    public static bool TryNormalize(ReadOnlySpan<char> text, List<SafetyFinding> findings, out NormalizedText result)
    {
        result = default;
        int i = text.IndexOfAnyExceptInRange('\0', '\u007F');
        if (i < 0)
        {
            return false;
        }

        var writer = default(NormalizedText);
        bool active = false;
        int n = text.Length;
        while (i < n)
        {
            char c = text[i];
            if (c < 0x80)
            {
                int next = text[i..].IndexOfAnyExceptInRange('\0', '\u007F');
                int end = next < 0 ? n : i + next;
                if (active)
                {
                    writer.AppendIdentity(text, i, end);
                }

                i = end;
                continue;
            }

            int invisibleEnd = InvisibleRun(text, i, out double score, out bool decodesTags);
            if (invisibleEnd > i)
            {
                if (score > 0)
                {
                    findings.Add(new SafetyFinding(SafetyFindingTypes.PromptInjection, i, invisibleEnd - i, score, InvisibleRecognizer));
                }

                Activate(ref writer, ref active, text, i);
                if (decodesTags)
                {
                    // Tag characters U+E0020..U+E007E mirror ASCII: append the hidden text, set apart, so it is scanned.
                    writer.Append(' ', i);
                    for (int k = i; k + 1 < invisibleEnd; k += 2)
                    {
                        int ascii = text[k + 1] - 0xDC00;
                        if (ascii is >= 0x20 and < 0x7F)
                        {
                            writer.Append((char)ascii, k);
                        }
                    }

                    writer.Append(' ', invisibleEnd - 1);
                }

                i = invisibleEnd;
                continue;
            }

            char folded = FoldConfusable(c);
            if (folded != '\0' && (IsAsciiLetter(text, i - 1) || IsAsciiLetter(text, i + 1)))
            {
                Activate(ref writer, ref active, text, i);
                writer.Append(folded, i);
                i++;
                continue;
            }

            if (IsNfkcStable(text, i, out int width) || (char.IsSurrogate(c) && width == 1))
            {
                // Stable, or an unpaired surrogate (which normalisation rejects): kept as it is.
                if (active)
                {
                    writer.AppendIdentity(text, i, i + width);
                }

                i += width;
                continue;
            }

            // A character that may change under NFKC, with the combining marks that follow it: normalise it as one piece.
            int runEnd = i + width;
            while (runEnd < n && CharUnicodeInfo.GetUnicodeCategory(text[runEnd]) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark)
            {
                runEnd++;
            }

            string run = new(text[i..runEnd]);
            string normalized = NormalizeOrKeep(run);
            if (ReferenceEquals(run, normalized) || string.Equals(run, normalized, StringComparison.Ordinal))
            {
                if (active)
                {
                    writer.AppendIdentity(text, i, runEnd);
                }
            }
            else
            {
                Activate(ref writer, ref active, text, i);
                foreach (char nc in normalized)
                {
                    writer.Append(nc, i);
                }
            }

            i = runEnd;
        }

        if (!active)
        {
            return false;
        }

        writer.Complete(text.Length);
        result = writer;
        return true;
    }

    /// <summary>
    /// NFKC of a run, or the run unchanged when .NET refuses to normalise it (noncharacters such as U+FFFE, or an
    /// unpaired surrogate among combining marks throw <see cref="ArgumentException"/>): such text is scanned as it is.
    /// </summary>
    private static string NormalizeOrKeep(string run)
    {
        try
        {
            return run.IsNormalized(NormalizationForm.FormKC) ? run : run.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            return run;
        }
    }

    private static void Activate(ref NormalizedText writer, ref bool active, ReadOnlySpan<char> text, int upTo)
    {
        if (!active)
        {
            writer = NormalizedText.Rent(text.Length + 16);
            writer.AppendIdentity(text, 0, upTo);
            active = true;
        }
    }

    private static bool IsAsciiLetter(ReadOnlySpan<char> text, int index)
        => (uint)index < (uint)text.Length && char.IsAsciiLetter(text[index]);

    /// <summary>Returns the end of a run of invisible characters starting at <paramref name="i"/> (or <paramref name="i"/> when there is none) and its score (0 for benign uses).</summary>
    private static int InvisibleRun(ReadOnlySpan<char> text, int i, out double score, out bool decodesTags)
    {
        score = 0;
        decodesTags = false;
        int n = text.Length;
        int j = i;
        int tags = 0, bidi = 0, zeroWidth = 0, silent = 0;
        while (j < n)
        {
            char c = text[j];
            if (c == '\uDB40' && j + 1 < n && text[j + 1] is >= '\uDC00' and <= '\uDC7F')
            {
                tags++;
                j += 2;
            }
            else if (c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
            {
                bidi++;
                j++;
            }
            else if (c is '\u200B' or '\u2060' or '\u180E' or >= '\u2061' and <= '\u2064' || (c == '\uFEFF' && j > 0))
            {
                zeroWidth++;
                j++;
            }
            else if (c is '\u200C' or '\u200D')
            {
                // Joiners shape emoji sequences and Indic or Persian script: suspicious only between ASCII letters.
                if (IsAsciiLetter(text, j - 1) || IsAsciiLetter(text, j + 1))
                {
                    zeroWidth++;
                }
                else if (j == i)
                {
                    return i;
                }
                else
                {
                    silent++;
                }

                j++;
            }
            else if (c is '\u00AD' or '\u200E' or '\u200F' || (c == '\uFEFF' && j == 0))
            {
                silent++;
                j++;
            }
            else
            {
                break;
            }
        }

        if (j == i)
        {
            return i;
        }

        if (tags > 0)
        {
            // A flag emoji (U+1F3F4 followed by tags ending in U+E007F) is the one legitimate use.
            bool flag = i >= 2 && text[i - 2] == '\uD83C' && text[i - 1] == '\uDFF4' && tags <= 7 && text[j - 1] == '\uDC7F';
            if (!flag)
            {
                score = 0.95;
                decodesTags = bidi == 0 && zeroWidth == 0 && silent == 0;
            }

            // A flag's tags are dropped from the scanned text without a finding.
        }
        else if (bidi > 0)
        {
            score = 0.8;
        }
        else if (zeroWidth > 0)
        {
            bool insideWord = IsAsciiLetter(text, i - 1) && IsAsciiLetter(text, j);
            score = zeroWidth >= 2 || insideWord ? 0.75 : 0.3;
        }

        return j;
    }

    private static char FoldConfusable(char c) => c switch
    {
        'а' => 'a', 'е' => 'e', 'о' => 'o', 'р' => 'p', 'с' => 'c', 'у' => 'y', 'х' => 'x', 'і' => 'i', 'ј' => 'j', 'ѕ' => 's',
        'ԁ' => 'd', 'һ' => 'h', 'ӏ' => 'l', 'ԛ' => 'q', 'ԝ' => 'w',
        'А' => 'A', 'В' => 'B', 'Е' => 'E', 'К' => 'K', 'М' => 'M', 'Н' => 'H', 'О' => 'O', 'Р' => 'P', 'С' => 'C', 'Т' => 'T', 'Х' => 'X',
        'І' => 'I', 'Ј' => 'J', 'Ѕ' => 'S',
        'α' => 'a', 'ο' => 'o', 'ρ' => 'p', 'ν' => 'v', 'ι' => 'i', 'κ' => 'k', 'τ' => 't', 'υ' => 'u',
        'Α' => 'A', 'Β' => 'B', 'Ε' => 'E', 'Ζ' => 'Z', 'Η' => 'H', 'Ι' => 'I', 'Κ' => 'K', 'Μ' => 'M', 'Ν' => 'N', 'Ο' => 'O',
        'Ρ' => 'P', 'Τ' => 'T', 'Υ' => 'Y', 'Χ' => 'X',
        _ => '\0',
    };

    /// <summary>Returns whether the character (or surrogate pair) at <paramref name="i"/> is known to be unchanged by NFKC, without calling into ICU.</summary>
    private static bool IsNfkcStable(ReadOnlySpan<char> text, int i, out int width)
    {
        char c = text[i];
        width = 1;
        if (char.IsHighSurrogate(c))
        {
            width = i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;

            // Emoji and pictographs (U+1F000..U+1FAFF) are stable; mathematical alphanumerics (U+1D400..) and the rest are checked.
            return c is >= '\uD83C' and <= '\uD83E';
        }

        return c switch
        {
            >= '\u00C0' and <= '\u0131' or >= '\u0134' and <= '\u013E' or >= '\u0141' and <= '\u0148' or >= '\u014A' and <= '\u017E' => true,
            >= '\u00A1' and <= '\u00A7' or '\u00A9' or '\u00AB' or '\u00AC' or '\u00AE' or '\u00B0' or '\u00B1' or '\u00B6' or '\u00B7' or '\u00BB' or '\u00BF' => true,
            >= '\u0391' and <= '\u03A9' or >= '\u03AC' and <= '\u03CE' => true,
            >= '\u0400' and <= '\u04FF' => true,
            >= '\u05D0' and <= '\u05EA' or >= '\u0621' and <= '\u064A' or >= '\u0660' and <= '\u0669' => true,
            >= '\u0900' and <= '\u0957' or >= '\u0960' and <= '\u097F' => true,
            '\u2010' or '\u2013' or '\u2014' or '\u2018' or '\u2019' or '\u201A' or '\u201C' or '\u201D' or '\u201E' or '\u2020' or '\u2021' or '\u2022' or '\u2030' or '\u20AC' => true,
            >= '\u2190' and <= '\u21FF' or >= '\u2500' and <= '\u27BF' => true,
            >= '\u3001' and <= '\u3002' or >= '\u3041' and <= '\u3096' or >= '\u30A1' and <= '\u30FA' or '\u30FC' => true,
            >= '\u4E00' and <= '\u9FFF' or >= '\uAC00' and <= '\uD7A3' => true,
            _ => false,
        };
    }
}
