namespace LlmKit;

/// <summary>Turns a LiteLLM price map into registry models, merged with what the registry already holds.</summary>
internal static class LiteLlmImport
{
    /// <summary>Reads the file and builds the models to register: new ones added, existing ones (same id) updated.</summary>
    /// <param name="registry">The registry the models go to.</param>
    /// <param name="stream">The price map.</param>
    /// <param name="sourceName">The file's name, for messages and each model's <see cref="ModelDescriptor.Source"/>.</param>
    /// <returns>The models.</returns>
    public static List<ModelDescriptor> Prepare(IModelRegistry registry, Stream stream, string sourceName)
    {
        var (models, _, _) = LiteLlmPriceMap.Read(stream, sourceName);
        bool TryGetExact(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelDescriptor? model)
        {
            if (registry is ModelRegistry own)
            {
                return own.Current.TryGetExact(name, out model);
            }

            return registry.TryGet(name, out model) && (string.Equals(model.Id, name, StringComparison.OrdinalIgnoreCase) || model.Aliases.Contains(name, StringComparer.OrdinalIgnoreCase));
        }

        // An entry whose id is another model's alias would shadow that model (LiteLLM's Vertex AI 'gemini-2.5-pro' is not
        // the Gemini API model the catalog calls 'gemini/gemini-2.5-pro' with that alias): such an entry is left out.
        models.RemoveAll(m => TryGetExact(m.Id, out var existing) && !string.Equals(existing.Id, m.Id, StringComparison.OrdinalIgnoreCase));
        LiteLlmPriceMap.AssignAliases(models, (name, ownerId) => TryGetExact(name, out var owner) && !string.Equals(owner.Id, ownerId, StringComparison.OrdinalIgnoreCase));

        string source = "prices:" + Path.GetFileName(sourceName);
        var result = new List<ModelDescriptor>(models.Count);
        foreach (var model in models)
        {
            var imported = ModelCatalogLoader.ToDescriptor(model) with { Source = source };
            if (TryGetExact(model.Id, out var existing))
            {
                // The file's facts win; what it does not say (null) keeps the registry's value.
                imported = existing with
                {
                    Provider = imported.Provider,
                    ProviderModelId = existing.ProviderModelId ?? imported.ProviderModelId,
                    Aliases = [.. existing.Aliases.Concat(imported.Aliases).Distinct(StringComparer.OrdinalIgnoreCase)],
                    ContextWindow = imported.ContextWindow ?? existing.ContextWindow,
                    MaxOutputTokens = imported.MaxOutputTokens ?? existing.MaxOutputTokens,
                    Pricing = imported.Pricing ?? existing.Pricing,
                    Capabilities = imported.Capabilities,
                    DeprecationDate = imported.DeprecationDate ?? existing.DeprecationDate,
                    Source = existing.Source + "+" + source,
                };
            }

            result.Add(imported);
        }

        return result;
    }
}
