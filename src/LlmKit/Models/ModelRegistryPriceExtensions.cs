namespace LlmKit;

/// <summary>Imports LiteLLM-format price files into an <see cref="IModelRegistry"/>, so prices can be refreshed without a release.</summary>
public static class ModelRegistryPriceExtensions
{
    /// <summary>
    /// Imports a price file in the format of LiteLLM's <c>model_prices_and_context_window.json</c> (an object of entries keyed
    /// by model id, prices in USD per token). Every entry whose <c>mode</c> is <c>chat</c>, <c>embedding</c>, <c>responses</c>
    /// or <c>completion</c> is added, or updates the model with the same id (the file's facts win; a fact the file leaves out
    /// keeps the registry's value); an entry whose id is another model's alias is left out. Prices, long-context tiers
    /// (<c>*_above_&lt;N&gt;k_tokens</c>), batch, flex and priority tiers, cache rates, limits and capabilities are mapped as
    /// for the shipped catalog; a price the file does not give stays unknown.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <param name="path">The file's path.</param>
    /// <returns>The number of models added or updated.</returns>
    /// <exception cref="ModelPriceFileException">The file is missing, not JSON, or an entry or field is malformed; the message names the file, entry and field, and nothing was imported.</exception>
    public static int ImportLiteLlmPrices(this IModelRegistry registry, string path)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ModelPriceFileException($"The price file '{path}' cannot be read: {ex.Message}", path, null, null, ex);
        }

        using (stream)
        {
            return registry.ImportLiteLlmPrices(stream, path);
        }
    }

    /// <summary>Imports a LiteLLM-format price file from a stream; see <see cref="ImportLiteLlmPrices(IModelRegistry, string)"/>.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="stream">The JSON.</param>
    /// <param name="sourceName">The name used in error messages and in each model's <see cref="ModelDescriptor.Source"/> (<c>prices:&lt;name&gt;</c>). Defaults to <c>price file</c>.</param>
    /// <returns>The number of models added or updated.</returns>
    /// <exception cref="ModelPriceFileException">The JSON or an entry or field is malformed; nothing was imported.</exception>
    public static int ImportLiteLlmPrices(this IModelRegistry registry, Stream stream, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(stream);
        var models = LiteLlmImport.Prepare(registry, stream, string.IsNullOrWhiteSpace(sourceName) ? "price file" : sourceName);
        if (registry is ModelRegistry own)
        {
            own.RegisterAll(models);
        }
        else
        {
            foreach (var model in models)
            {
                registry.Register(model);
            }
        }

        return models.Count;
    }
}
