namespace LlmKit;

/// <summary>
/// Errors known in LiteLLM's map (listed as <c>known_data_quirks</c> in the project's catalog extract), corrected where
/// they are read: when the catalog is generated and when a price file is imported. Each correction applies only while
/// the map still holds the wrong value, so a fixed upstream value passes through unchanged. The other listed quirks are
/// kept as the data says (see the catalog's PROVENANCE.md).
/// </summary>
internal static class LiteLlmCorrections
{
    /// <summary>Corrects <paramref name="model"/> in place; returns <see langword="false"/> when the entry is to be left out.</summary>
    /// <param name="model">The mapped entry.</param>
    /// <param name="applied">Receives one line per correction made, with its reason.</param>
    /// <returns>Whether the entry is kept.</returns>
    public static bool Apply(CatalogModel model, List<string> applied)
    {
        // Listed as an embedding model with an 8,192-token window and a 2025 deprecation date: a stale entry that is
        // neither the Gemini 1.5 Flash chat model nor a current embedding model, so it would price calls wrongly.
        if (string.Equals(model.Id, "gemini/gemini-1.5-flash", StringComparison.OrdinalIgnoreCase) && model.Mode == "embedding")
        {
            applied.Add("gemini/gemini-1.5-flash: left out; the entry is a stale embedding record (8,192 tokens, deprecated 2025-09-29), not the chat model of that name.");
            return false;
        }

        // Mistral entries repeat the context window as the output limit: a copy, not Mistral's limit.
        if (string.Equals(model.Provider, "mistral", StringComparison.OrdinalIgnoreCase)
            && model.MaxOutputTokens is { } output && output == model.ContextWindow)
        {
            model.MaxOutputTokens = null;
            applied.Add($"{model.Id}: max_output_tokens {output} reported as unknown; mistral entries repeat the context window there instead of an output limit.");
        }

        // Claude 3 Haiku's 1-hour cache write is listed at $6/MTok, 24x its $0.25 input and equal to the Sonnet value:
        // a copy error. Anthropic bills 1-hour writes at 2x the input price ($0.50/MTok for this model).
        if (string.Equals(model.Id, "claude-3-haiku-20240307", StringComparison.OrdinalIgnoreCase)
            && model.UsdPerMtok is { } prices
            && prices.TryGetValue("cache_write_1h", out var write1h) && write1h == 6m
            && prices.TryGetValue("input", out var input) && input == 0.25m)
        {
            prices["cache_write_1h"] = 0.5m;
            applied.Add("claude-3-haiku-20240307: cache_write_1h $6/MTok corrected to $0.50/MTok (2x the $0.25 input, Anthropic's 1-hour write rate); the map copies the Sonnet value.");
        }

        return true;
    }
}
