namespace LlmKit;

/// <summary>
/// Ranks templates by keywords: each word of the task (lower-cased, common words dropped) scores 3 when it
/// matches a word of the template's name or id, 2 for a tag, 1 for the description, taking its best match.
/// Words match when equal, when one starts with the other and the shorter has at least 4 letters, or when they
/// share their first 6 letters (so <c>summarise</c>, <c>summarize</c> and <c>summary</c> match).
/// </summary>
internal static class TemplateRecommender
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "of", "for", "to", "in", "on", "with", "from", "by", "about", "into", "my", "me", "i",
        "you", "it", "this", "that", "is", "are", "be", "please", "some", "can", "we", "our", "your", "as", "at", "what", "how",
    };

    public static IReadOnlyList<TemplateRecommendation> Rank(string task, IEnumerable<PromptTemplate> templates, int count)
    {
        var words = Words(task).Where(w => !StopWords.Contains(w)).Distinct(StringComparer.Ordinal).ToList();
        var ranked = new List<TemplateRecommendation>();
        foreach (var template in templates)
        {
            var name = Words(template.Id + " " + template.Name).ToList();
            var tags = template.Tags.SelectMany(Words).ToList();
            var description = Words(template.Description ?? string.Empty).ToList();
            double score = 0;
            foreach (string word in words)
            {
                score += name.Any(w => Match(word, w)) ? 3 : tags.Any(w => Match(word, w)) ? 2 : description.Any(w => Match(word, w)) ? 1 : 0;
            }

            if (score > 0)
            {
                ranked.Add(new TemplateRecommendation(template, score));
            }
        }

        return ranked.OrderByDescending(r => r.Score).ThenBy(r => r.Template.Id, StringComparer.Ordinal).Take(count).ToList();
    }

    internal static bool Match(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return true;
        }

        var (shorter, longer) = a.Length <= b.Length ? (a, b) : (b, a);
        if (shorter.Length >= 4 && longer.StartsWith(shorter, StringComparison.Ordinal))
        {
            return true;
        }

        return shorter.Length >= 6 && longer.AsSpan(0, 6).SequenceEqual(shorter.AsSpan(0, 6));
    }

    internal static IEnumerable<string> Words(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            yield break;
        }

        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool letter = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (letter && start < 0)
            {
                start = i;
            }
            else if (!letter && start >= 0)
            {
                yield return text[start..i].ToLowerInvariant();
                start = -1;
            }
        }
    }
}
