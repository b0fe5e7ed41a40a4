using System.Text;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>Recalls left-out messages that share keywords with the new user message.</summary>
internal static class KeywordRecall
{
    public const string NoteHeading = "Earlier messages of this conversation that may be relevant (recalled):";

    private const int MinimumKeywordLength = 3;

    private static readonly HashSet<string> s_stopWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "had", "her", "was", "one", "our", "out", "has",
        "him", "his", "how", "its", "let", "may", "who", "did", "get", "got", "she", "too", "use", "that", "this", "with",
        "have", "from", "they", "what", "when", "where", "which", "will", "would", "there", "their", "about", "could", "should",
        "your", "yours", "then", "than", "them", "these", "those", "into", "just", "also", "been", "were", "does", "some",
        "please", "tell", "know", "like", "want", "again", "remember", "said", "told",
    };

    /// <summary>The distinct keywords of a text: lower-cased words of letters and digits, at least 3 long, without stop words.</summary>
    public static HashSet<string> Keywords(string text)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                if (i - start >= MinimumKeywordLength)
                {
                    string word = text[start..i].ToLowerInvariant();
                    if (!s_stopWords.Contains(word))
                    {
                        words.Add(word);
                    }
                }

                start = -1;
            }
        }

        return words;
    }

    /// <summary>Ranks candidates by the number of shared keywords, newest first on ties; only those sharing at least one.</summary>
    public static List<ChatMessage> Rank(IReadOnlyList<ChatMessage> candidates, string query)
    {
        var keywords = Keywords(query);
        var scored = new List<(ChatMessage Message, int Score, int Index)>();
        if (keywords.Count == 0)
        {
            return [];
        }

        for (int i = 0; i < candidates.Count; i++)
        {
            var message = candidates[i];
            if ((message.Role != ChatRole.User && message.Role != ChatRole.Assistant) || string.IsNullOrWhiteSpace(message.Text))
            {
                continue;
            }

            int score = 0;
            foreach (string word in Keywords(message.Text))
            {
                if (keywords.Contains(word))
                {
                    score++;
                }
            }

            if (score > 0)
            {
                scored.Add((message, score, i));
            }
        }

        scored.Sort(static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : b.Index.CompareTo(a.Index));
        return scored.ConvertAll(static s => s.Message);
    }

    /// <summary>The system note holding the recalled messages, in conversation order.</summary>
    public static ChatMessage Note(IReadOnlyList<ChatMessage> recalled, IReadOnlyList<ChatMessage> conversationOrder)
    {
        var text = new StringBuilder(NoteHeading).Append('\n');
        foreach (var message in conversationOrder)
        {
            foreach (var candidate in recalled)
            {
                if (ReferenceEquals(candidate, message))
                {
                    text.Append('[').Append(message.Role.Value).Append("] ").Append(message.Text).Append('\n');
                    break;
                }
            }
        }

        return new ChatMessage(ChatRole.System, text.ToString().TrimEnd('\n'));
    }
}
