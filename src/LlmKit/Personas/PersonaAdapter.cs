using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LlmKit;

/// <summary>
/// Adapts a persona to how a user writes, from simple measured signals of their recent messages: length (verbosity),
/// formal and casual markers (formality), emoji (warmth and humour) and questions (directness). Each trait moves toward
/// what the signals suggest by at most the given number of levels from the persona's own.
/// </summary>
public static partial class PersonaAdapter
{
    private static readonly string[] Formal = ["please", "thank you", "regards", "dear", "would you", "could you", "kindly"];

    private static readonly string[] Casual = ["hey", "lol", "thx", "gonna", "wanna", "btw", "yeah", "cool", "!!"];

    /// <summary>Adapts <paramref name="persona"/> to <paramref name="recentUserMessages"/>.</summary>
    /// <param name="persona">The persona chosen for the call.</param>
    /// <param name="recentUserMessages">The user's recent messages, oldest first; an empty list changes nothing.</param>
    /// <param name="maxShift">How many levels a trait may move from the persona's own (0 to 2). Defaults to 1.</param>
    /// <returns>The adapted persona, the signals and the explanation.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxShift"/> is not 0, 1 or 2.</exception>
    public static PersonaAdaptation Adapt(Persona persona, IReadOnlyList<string> recentUserMessages, int maxShift = 1)
    {
        ArgumentNullException.ThrowIfNull(persona);
        ArgumentNullException.ThrowIfNull(recentUserMessages);
        ArgumentOutOfRangeException.ThrowIfNegative(maxShift);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxShift, 2);
        if (recentUserMessages.Count == 0)
        {
            return new PersonaAdaptation(persona, 0, 0, 0, 0, 0, string.Empty);
        }

        int messages = recentUserMessages.Count;
        double words = recentUserMessages.Average(m => Words().Count(m));
        int formal = recentUserMessages.Sum(m => Count(m, Formal));
        int casual = recentUserMessages.Sum(m => Count(m, Casual));
        double emoji = recentUserMessages.Sum(CountEmoji) / (double)messages;
        double questions = recentUserMessages.Count(m => m.Contains('?', StringComparison.Ordinal)) / (double)messages;

        var explanation = new StringBuilder();
        var adapted = persona with
        {
            Verbosity = Move(persona.Verbosity, words < 8 ? PersonaTraitLevel.Low : words > 40 ? PersonaTraitLevel.High : PersonaTraitLevel.Medium, maxShift, "verbosity", $"{words.ToString("0.#", CultureInfo.InvariantCulture)} words per message", explanation),
            Formality = Move(persona.Formality, casual > formal ? PersonaTraitLevel.Low : formal > casual ? PersonaTraitLevel.High : persona.Formality, maxShift, "formality", $"{formal} formal and {casual} casual markers", explanation),
            Warmth = Move(persona.Warmth, emoji >= 0.5 ? PersonaTraitLevel.High : persona.Warmth, maxShift, "warmth", $"{emoji.ToString("0.##", CultureInfo.InvariantCulture)} emoji per message", explanation),
            Humour = Move(persona.Humour, emoji >= 0.5 ? (PersonaTraitLevel)Math.Min(2, (int)persona.Humour + 1) : persona.Humour, maxShift, "humour", $"{emoji.ToString("0.##", CultureInfo.InvariantCulture)} emoji per message", explanation),
            Directness = Move(persona.Directness, questions >= 0.5 ? PersonaTraitLevel.High : persona.Directness, maxShift, "directness", $"{(questions * 100).ToString("0", CultureInfo.InvariantCulture)}% of messages are questions", explanation),
        };
        return new PersonaAdaptation(adapted, words, formal, casual, emoji, questions, explanation.ToString());
    }

    private static PersonaTraitLevel Move(PersonaTraitLevel from, PersonaTraitLevel target, int maxShift, string trait, string why, StringBuilder explanation)
    {
        int step = Math.Clamp((int)target - (int)from, -maxShift, maxShift);
        var to = (PersonaTraitLevel)((int)from + step);
        if (to != from)
        {
            explanation.Append(explanation.Length > 0 ? "; " : string.Empty).Append(CultureInfo.InvariantCulture, $"{trait} {from} -> {to} ({why})");
        }

        return to;
    }

    private static int Count(string message, string[] markers)
    {
        int count = 0;
        foreach (string marker in markers)
        {
            for (int i = message.IndexOf(marker, StringComparison.OrdinalIgnoreCase); i >= 0; i = message.IndexOf(marker, i + marker.Length, StringComparison.OrdinalIgnoreCase))
            {
                bool startOk = i == 0 || !char.IsLetter(message[i - 1]) || !char.IsLetter(marker[0]);
                bool endOk = i + marker.Length >= message.Length || !char.IsLetter(message[i + marker.Length]) || !char.IsLetter(marker[^1]);
                count += startOk && endOk ? 1 : 0;
            }
        }

        return count;
    }

    private static int CountEmoji(string message)
    {
        int count = 0;
        for (int i = 0; i < message.Length; i++)
        {
            if (char.IsSurrogatePair(message, i))
            {
                int code = char.ConvertToUtf32(message, i);
                count += code is >= 0x1F300 and <= 0x1FAFF ? 1 : 0;
                i++;
            }
            else if (message[i] is >= '\u2600' and <= '\u27BF')
            {
                count++;
            }
        }

        return count;
    }

    [GeneratedRegex(@"\S+")]
    private static partial Regex Words();
}
