namespace LlmKit;

/// <summary>The result of adapting a persona to a user's recent messages: the adapted persona, the measured signals and why each trait moved.</summary>
/// <param name="Persona">The adapted persona (same name; traits moved within the bounds).</param>
/// <param name="AverageWords">The average number of words per message.</param>
/// <param name="FormalMarkers">The number of formal markers found (please, thank you, regards, dear, would you, could you, kindly).</param>
/// <param name="CasualMarkers">The number of casual markers found (hey, lol, thx, gonna, wanna, btw, yeah, cool, !!).</param>
/// <param name="EmojiPerMessage">The average number of emoji per message.</param>
/// <param name="QuestionRatio">The share of messages that ask a question (contain '?').</param>
/// <param name="Explanation">Each trait that moved, from and to, and the figure that moved it; empty when nothing moved.</param>
public sealed record PersonaAdaptation(Persona Persona, double AverageWords, int FormalMarkers, int CasualMarkers, double EmojiPerMessage, double QuestionRatio, string Explanation);
