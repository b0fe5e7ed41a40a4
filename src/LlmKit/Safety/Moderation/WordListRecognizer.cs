namespace LlmKit;

/// <summary>
/// Moderation by category word lists (<c>LlmKit:Safety:WordLists</c>): each whole-word, case-insensitive match of
/// a listed word or phrase is a finding of its category's type with score 0.9.
/// </summary>
internal sealed class WordListRecognizer : ISafetyRecognizer
{
    private readonly (string Type, string[] Words)[] _lists;
    private readonly string[] _types;

    public WordListRecognizer(IReadOnlyDictionary<string, List<string>> lists)
    {
        _lists = [.. lists.Select(l => (l.Key.ToUpperInvariant(), l.Value.Where(w => !string.IsNullOrWhiteSpace(w)).Select(w => w.Trim()).ToArray()))];
        _types = [.. _lists.Select(l => l.Type)];
    }

    public string Name => "WordListRecognizer";

    public IReadOnlyCollection<string> SupportedTypes => _types;

    public void Analyze(string text, ICollection<SafetyFinding> findings)
    {
        var span = text.AsSpan();
        foreach (var (type, words) in _lists)
        {
            foreach (string word in words)
            {
                int offset = 0;
                while (offset < span.Length)
                {
                    int at = span[offset..].IndexOf(word, StringComparison.OrdinalIgnoreCase);
                    if (at < 0)
                    {
                        break;
                    }

                    at += offset;
                    int end = at + word.Length;
                    if ((at == 0 || !char.IsLetterOrDigit(span[at - 1])) && (end >= span.Length || !char.IsLetterOrDigit(span[end])))
                    {
                        findings.Add(new SafetyFinding(type, at, word.Length, 0.9, Name));
                    }

                    offset = at + 1;
                }
            }
        }
    }
}
