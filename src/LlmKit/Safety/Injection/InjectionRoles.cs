namespace LlmKit;

/// <summary>The parts a word can play in prompt-injection phrasing, in any of the supported languages.</summary>
[Flags]
internal enum InjectionRoles
{
    None = 0,

    /// <summary>ignore, disregard, forget, vergiss, oubliez, olvida...</summary>
    OverrideVerb = 1,

    /// <summary>reveal, print, repeat, zeige, montre, muestra...</summary>
    RevealVerb = 2,

    /// <summary>instructions, rules, prompt, Anweisungen, consignes, instrucciones...</summary>
    Object = 4,

    /// <summary>previous, prior, above, system, your, vorherigen, précédentes, anteriores...</summary>
    Qualifier = 8,

    /// <summary>everything, alles, tout, tutto: enough with an override verb even without an object.</summary>
    StrongQualifier = 16,

    /// <summary>not, don't, never, nicht, pas, no: lowers the score of a following verb.</summary>
    Negation = 32,

    /// <summary>new, updated, neue, nouvelles, nuevas: "new instructions:".</summary>
    NewMarker = 64,

    /// <summary>end: "END OF USER INPUT".</summary>
    EndMarker = 128,

    /// <summary>input, document, context, conversation, data, text, user: what an end marker closes.</summary>
    EndObject = 256,

    /// <summary>developer (mode), DAN-style persona switches.</summary>
    Developer = 512,

    /// <summary>jailbreak, jailbroken.</summary>
    Jailbreak = 1024,
}
