namespace LlmKit;

/// <summary>Chooses the persona of a call from <see cref="PersonaOptions"/> and the request context.</summary>
public sealed class PersonaSelector
{
    private readonly PersonaOptions _options;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The personas and the choices per tenant and user.</param>
    /// <exception cref="LlmKitConfigurationException">A choice names a persona that is not defined.</exception>
    public PersonaSelector(PersonaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        foreach (var (where, name) in options.ByTenant.Select(p => ($"tenant '{p.Key}'", p.Value)).Concat(options.ByUser.Select(p => ($"user '{p.Key}'", p.Value))).Append(("the default", options.DefaultPersona)))
        {
            if (!options.Profiles.ContainsKey(name))
            {
                throw new LlmKitConfigurationException($"The persona '{name}' chosen for {where} is not defined; define it under LlmKit:Personas:Profiles (defined: {string.Join(", ", options.Profiles.Keys.Order(StringComparer.Ordinal))}).");
            }
        }
    }

    /// <summary>Returns the persona for a call: the conversation's (request tag <see cref="PersonaOptions.ConversationMetadataKey"/>), the user's, the tenant's, else the default.</summary>
    /// <param name="context">The request context, or <see langword="null"/> for the default.</param>
    /// <returns>The persona.</returns>
    /// <exception cref="LlmKitConfigurationException">The conversation names a persona that is not defined.</exception>
    public Persona Select(LlmRequestContext? context)
    {
        if (context?.Tags is { } tags && tags.TryGetValue(PersonaOptions.ConversationMetadataKey, out string? chosen) && !string.IsNullOrEmpty(chosen))
        {
            return _options.Profiles.TryGetValue(chosen, out var persona)
                ? persona
                : throw new LlmKitConfigurationException($"The conversation's persona '{chosen}' is not defined; define it under LlmKit:Personas:Profiles or change the conversation's '{PersonaOptions.ConversationMetadataKey}' metadata.");
        }

        if (context?.UserId is { } user && _options.ByUser.TryGetValue(user, out string? byUser))
        {
            return _options.Profiles[byUser];
        }

        if (context?.TenantId is { } tenant && _options.ByTenant.TryGetValue(tenant, out string? byTenant))
        {
            return _options.Profiles[byTenant];
        }

        return _options.Profiles[_options.DefaultPersona];
    }
}
