namespace LlmKit.Testing;

/// <summary>Splits text into word-sized streaming chunks and estimates token counts.</summary>
internal static class TextChunks
{
    /// <summary>
    /// Splits <paramref name="text"/> into chunks of one word each, keeping the whitespace before a word
    /// with that word, so that concatenating the chunks gives back the text exactly.
    /// </summary>
    public static List<string> SplitWords(string text)
    {
        var chunks = new List<string>();
        int start = 0;
        for (int i = 1; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]) && !char.IsWhiteSpace(text[i - 1]))
            {
                chunks.Add(text[start..i]);
                start = i;
            }
        }

        if (start < text.Length)
        {
            chunks.Add(text[start..]);
        }

        return chunks;
    }

    /// <summary>Estimates tokens as one per four characters, rounded up, and at least one.</summary>
    public static long EstimateTokens(int characters) => Math.Max(1, (characters + 3) / 4);
}
