namespace LlmKit;

/// <summary>What the scanner knows about one lexicon word.</summary>
/// <param name="Context">The PII context the word gives to nearby candidates.</param>
/// <param name="Roles">The word's parts in injection phrasing.</param>
internal readonly record struct WordInfo(ContextKinds Context, InjectionRoles Roles);
