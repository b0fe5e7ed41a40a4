using System.Text;

namespace LlmKit;

/// <summary>
/// A named profile of how the assistant speaks: five traits, optional instructions and an optional temperature. Templates
/// include it as the <c>persona</c> partial (<c>{{&gt; persona}}</c> in mustache, <c>{% include "persona" %}</c> in Jinja2
/// and Liquid), which renders <see cref="ToInstructions"/>.
/// </summary>
public sealed record Persona
{
    /// <summary>Gets the persona's name, as selected in configuration and conversation metadata.</summary>
    public required string Name { get; init; }

    /// <summary>Gets how formal the wording is. Defaults to <see cref="PersonaTraitLevel.Medium"/>.</summary>
    public PersonaTraitLevel Formality { get; init; } = PersonaTraitLevel.Medium;

    /// <summary>Gets how long the answers are. Defaults to <see cref="PersonaTraitLevel.Medium"/>.</summary>
    public PersonaTraitLevel Verbosity { get; init; } = PersonaTraitLevel.Medium;

    /// <summary>Gets how much warmth and empathy the answers show. Defaults to <see cref="PersonaTraitLevel.Medium"/>.</summary>
    public PersonaTraitLevel Warmth { get; init; } = PersonaTraitLevel.Medium;

    /// <summary>Gets how much humour the answers allow. Defaults to <see cref="PersonaTraitLevel.Low"/>.</summary>
    public PersonaTraitLevel Humour { get; init; } = PersonaTraitLevel.Low;

    /// <summary>Gets how directly the answers come to the point. Defaults to <see cref="PersonaTraitLevel.Medium"/>.</summary>
    public PersonaTraitLevel Directness { get; init; } = PersonaTraitLevel.Medium;

    /// <summary>Gets extra instructions appended to the trait description, or <see langword="null"/>.</summary>
    public string? Instructions { get; init; }

    /// <summary>Gets the sampling temperature the persona prefers, or <see langword="null"/> to leave the template's.</summary>
    public float? Temperature { get; init; }

    /// <summary>Returns the system-message text the <c>persona</c> partial renders: one sentence per trait, then the instructions.</summary>
    /// <returns>The text.</returns>
    public string ToInstructions()
    {
        var text = new StringBuilder(256);
        text.Append(Formality switch
        {
            PersonaTraitLevel.Low => "Write casually, like a friendly colleague.",
            PersonaTraitLevel.High => "Write formally and politely, without slang or contractions.",
            _ => "Write in a professional but relaxed tone.",
        });
        text.Append(' ').Append(Verbosity switch
        {
            PersonaTraitLevel.Low => "Keep answers short: a sentence or two unless more is asked for.",
            PersonaTraitLevel.High => "Give thorough answers with explanation and examples.",
            _ => "Give answers of moderate length.",
        });
        text.Append(' ').Append(Warmth switch
        {
            PersonaTraitLevel.Low => "Stay neutral and matter-of-fact.",
            PersonaTraitLevel.High => "Be warm and empathetic; acknowledge how the user feels.",
            _ => "Be friendly.",
        });
        text.Append(' ').Append(Humour switch
        {
            PersonaTraitLevel.High => "Light humour is welcome where it fits.",
            PersonaTraitLevel.Medium => "An occasional light touch of humour is fine.",
            _ => "Do not joke.",
        });
        text.Append(' ').Append(Directness switch
        {
            PersonaTraitLevel.Low => "Be tactful and gentle, offering options rather than verdicts.",
            PersonaTraitLevel.High => "Be direct: lead with the answer or recommendation.",
            _ => "Come to the point without being blunt.",
        });
        if (!string.IsNullOrWhiteSpace(Instructions))
        {
            text.Append('\n').Append(Instructions.Trim());
        }

        return text.ToString();
    }
}
