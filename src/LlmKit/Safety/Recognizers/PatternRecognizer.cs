using System.Text.RegularExpressions;

namespace LlmKit;

/// <summary>
/// A host-defined recognizer: a regular expression, an optional validator (for check digits) and optional context
/// words that raise the score when one of them appears shortly before a match. Register it with
/// <c>kit.AddSafetyRecognizer(...)</c> or configure one under <c>LlmKit:Safety:CustomRecognizers</c>.
/// </summary>
public sealed class PatternRecognizer : ISafetyRecognizer
{
    /// <summary>The characters before a match in which a context word counts: 60.</summary>
    public const int ContextWindow = 60;

    private readonly Regex _pattern;
    private readonly Func<string, bool>? _validator;
    private readonly string[] _contextWords;
    private readonly string[] _types;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="name">The recognizer's name, recorded on its findings.</param>
    /// <param name="type">The finding type, such as <c>EMPLOYEE_ID</c>.</param>
    /// <param name="pattern">The pattern. Compiled, culture-invariant, with a one-second match timeout.</param>
    /// <param name="score">The score of a match without context, from 0 to 1. Defaults to 0.6.</param>
    /// <param name="validator">Returns whether a matched value is valid (for example a check digit); <see langword="null"/> accepts every match.</param>
    /// <param name="contextWords">Words that, within <see cref="ContextWindow"/> characters before a match, add <paramref name="contextBoost"/> to its score.</param>
    /// <param name="contextBoost">What a context word adds to the score. Defaults to 0.3.</param>
    /// <exception cref="ArgumentException">A name, type or pattern is empty or invalid, or a score is outside 0 to 1.</exception>
    public PatternRecognizer(string name, string type, string pattern, double score = 0.6, Func<string, bool>? validator = null, IEnumerable<string>? contextWords = null, double contextBoost = 0.3)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        if (score is < 0 or > 1 || double.IsNaN(score))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "The score must be between 0 and 1.");
        }

        if (contextBoost is < 0 or > 1 || double.IsNaN(contextBoost))
        {
            throw new ArgumentOutOfRangeException(nameof(contextBoost), contextBoost, "The context boost must be between 0 and 1.");
        }

        try
        {
            _pattern = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"The pattern of recognizer '{name}' is not a valid regular expression: {ex.Message}", nameof(pattern), ex);
        }

        Name = name;
        Type = type;
        Score = score;
        ContextBoost = contextBoost;
        _validator = validator;
        _contextWords = contextWords?.Where(w => !string.IsNullOrWhiteSpace(w)).ToArray() ?? [];
        _types = [type];
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets the finding type.</summary>
    public string Type { get; }

    /// <summary>Gets the score of a match without context.</summary>
    public double Score { get; }

    /// <summary>Gets what a context word adds to the score.</summary>
    public double ContextBoost { get; }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> SupportedTypes => _types;

    /// <inheritdoc/>
    /// <exception cref="LlmKitException">The pattern took longer than one second on the text.</exception>
    public void Analyze(string text, ICollection<SafetyFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(findings);
        try
        {
            for (var match = _pattern.Match(text); match.Success; match = match.NextMatch())
            {
                if (match.Length == 0 || (_validator is not null && !_validator(match.Value)))
                {
                    continue;
                }

                double score = Score;
                if (_contextWords.Length > 0 && HasContext(text, match.Index))
                {
                    score = Math.Min(1, score + ContextBoost);
                }

                findings.Add(new SafetyFinding(Type, match.Index, match.Length, score, Name));
            }
        }
        catch (RegexMatchTimeoutException ex)
        {
            throw new LlmKitException($"The pattern of safety recognizer '{Name}' took longer than one second on a text. Make the pattern cheaper (avoid nested quantifiers).", ex);
        }
    }

    private bool HasContext(string text, int index)
    {
        int start = Math.Max(0, index - ContextWindow);
        var window = text.AsSpan(start, index - start);
        foreach (string word in _contextWords)
        {
            int at = window.IndexOf(word, StringComparison.OrdinalIgnoreCase);
            while (at >= 0)
            {
                bool left = at == 0 || !char.IsLetterOrDigit(window[at - 1]);
                int after = at + word.Length;
                bool right = after >= window.Length || !char.IsLetterOrDigit(window[after]);
                if (left && right)
                {
                    return true;
                }

                int next = window[(at + 1)..].IndexOf(word, StringComparison.OrdinalIgnoreCase);
                at = next < 0 ? -1 : at + 1 + next;
            }
        }

        return false;
    }
}
