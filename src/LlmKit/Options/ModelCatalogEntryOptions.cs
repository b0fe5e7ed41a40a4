namespace LlmKit;

/// <summary>
/// A model added to or overriding the shipped catalog from configuration (<c>LlmKit:Catalog:{id}</c>).
/// For an existing model only the values given replace the catalog's; a new model needs <see cref="Provider"/>.
/// </summary>
public sealed class ModelCatalogEntryOptions
{
    /// <summary>Gets or sets the provider (required for a new model).</summary>
    public string? Provider { get; set; }

    /// <summary>Gets or sets the id the provider's API expects, when it differs from the catalog id.</summary>
    public string? ProviderModelId { get; set; }

    /// <summary>Gets or sets extra names the model can be looked up by. Defaults to none.</summary>
    public List<string> Aliases { get; set; } = [];

    /// <summary>Gets or sets the context window in tokens.</summary>
    public int? ContextWindow { get; set; }

    /// <summary>Gets or sets the maximum output tokens per call.</summary>
    public int? MaxOutputTokens { get; set; }

    /// <summary>Gets or sets the capabilities by name (<c>Chat</c>, <c>Streaming</c>, <c>Tools</c>, <c>JsonSchema</c>, <c>Vision</c>, <c>Reasoning</c>, ...), replacing the catalog's when given.</summary>
    public List<string>? Capabilities { get; set; }

    /// <summary>Gets or sets whether the model can be routed to; <see langword="null"/> keeps the current state.</summary>
    public bool? IsActive { get; set; }

    /// <summary>Gets or sets prices that replace the catalog's one by one.</summary>
    public ModelPricing? Pricing { get; set; }
}
