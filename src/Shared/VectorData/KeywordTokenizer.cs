using System.Globalization;
using System.Text;

namespace LlmKit;

/// <summary>
/// Splits text into lower-case words the way SQLite FTS5's unicode61 tokenizer does (letters and digits, diacritics
/// removed), so the in-memory and SQLite keyword rankings agree.
/// </summary>
internal static class KeywordTokenizer
{
    public static IEnumerable<string> Tokenize(string text)
    {
        var word = new StringBuilder();
        foreach (char c in text.Normalize(NormalizationForm.FormD))
        {
            UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else if (word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }
}
