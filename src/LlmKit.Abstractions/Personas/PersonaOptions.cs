namespace LlmKit;

/// <summary>
/// The personas templates can include, and which one each call gets: the conversation's (its metadata key
/// <see cref="ConversationMetadataKey"/>, passed as the request's tag of the same name), else the user's, else the tenant's,
/// else <see cref="DefaultPersona"/>. Bound from configuration section <c>LlmKit:Personas</c> or set in code.
/// </summary>
public sealed class PersonaOptions
{
    /// <summary>The conversation metadata key (and request tag) that names a conversation's persona: <c>llmkit.persona</c>.</summary>
    public const string ConversationMetadataKey = "llmkit.persona";

    /// <summary>Gets the personas by name. Starts with the shipped ones: <c>neutral</c>, <c>friendly</c>, <c>concise</c> and <c>formal</c>.</summary>
    public IDictionary<string, Persona> Profiles { get; } = new Dictionary<string, Persona>(StringComparer.Ordinal)
    {
        ["neutral"] = new Persona { Name = "neutral" },
        ["friendly"] = new Persona { Name = "friendly", Formality = PersonaTraitLevel.Low, Warmth = PersonaTraitLevel.High, Humour = PersonaTraitLevel.Medium },
        ["concise"] = new Persona { Name = "concise", Verbosity = PersonaTraitLevel.Low, Directness = PersonaTraitLevel.High, Warmth = PersonaTraitLevel.Low },
        ["formal"] = new Persona { Name = "formal", Formality = PersonaTraitLevel.High, Humour = PersonaTraitLevel.Low, Directness = PersonaTraitLevel.Medium },
    };

    /// <summary>Gets or sets the persona used when nothing more specific is chosen. Defaults to <c>neutral</c>.</summary>
    public string DefaultPersona { get; set; } = "neutral";

    /// <summary>Gets the persona name per tenant id. Defaults to none.</summary>
    public IDictionary<string, string> ByTenant { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets the persona name per user id. Defaults to none.</summary>
    public IDictionary<string, string> ByUser { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
