namespace LlmKit;

/// <summary>
/// The catalog of models LlmKit knows: shipped, configured and registered at run time. Thread-safe.
/// </summary>
public interface IModelRegistry
{
    /// <summary>Gets where the shipped catalog comes from and its date.</summary>
    ModelCatalogInfo CatalogInfo { get; }

    /// <summary>Looks a model up by id or alias, case-insensitively; inactive models are found too.</summary>
    /// <param name="idOrAlias">The id or alias.</param>
    /// <param name="model">The model, when found.</param>
    /// <returns><see langword="true"/> when found.</returns>
    bool TryGet(string idOrAlias, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelDescriptor? model);

    /// <summary>Returns the models that match <paramref name="query"/>, ordered by id.</summary>
    /// <param name="query">The criteria; <see langword="null"/> returns every active model.</param>
    /// <returns>The matching models.</returns>
    IReadOnlyList<ModelDescriptor> Query(ModelQuery? query = null);

    /// <summary>Adds a model or replaces the one with the same id.</summary>
    /// <param name="model">The model.</param>
    /// <exception cref="LlmKitConfigurationException">An alias of <paramref name="model"/> already names another model.</exception>
    void Register(ModelDescriptor model);

    /// <summary>Marks a model inactive (not routed to) or active again.</summary>
    /// <param name="id">The model id or alias.</param>
    /// <param name="isActive">The new state.</param>
    /// <exception cref="ModelNotFoundException">No model has that id or alias.</exception>
    void SetActive(string id, bool isActive);
}
