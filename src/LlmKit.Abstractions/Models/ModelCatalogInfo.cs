namespace LlmKit;

/// <summary>Where the shipped model catalog comes from and how old it is.</summary>
public sealed record ModelCatalogInfo
{
    /// <summary>Gets a description of the source (for example LiteLLM's price map).</summary>
    public required string Source { get; init; }

    /// <summary>Gets the source's licence.</summary>
    public required string License { get; init; }

    /// <summary>Gets the date of the data.</summary>
    public required DateOnly Date { get; init; }

    /// <summary>Gets the number of models in the catalog.</summary>
    public int ModelCount { get; init; }
}
