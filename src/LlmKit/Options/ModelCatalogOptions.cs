namespace LlmKit;

/// <summary>Settings of the model catalog (section <c>LlmKit:ModelCatalog</c>).</summary>
public sealed class ModelCatalogOptions
{
    /// <summary>
    /// Gets or sets a LiteLLM-format price file (<c>model_prices_and_context_window.json</c>) imported over the shipped catalog
    /// when the registry is created, before the <c>LlmKit:Catalog</c> entries; a relative path is resolved against the current
    /// directory. Defaults to <see langword="null"/>: the shipped catalog only. A missing or malformed file fails the registry's
    /// creation with a <see cref="ModelPriceFileException"/> naming the file, entry and field.
    /// </summary>
    public string? PriceFile { get; set; }
}
