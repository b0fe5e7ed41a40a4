namespace LlmKit.Anthropic.Tests.TestDoubles;

/// <summary>A registry that knows one model's output limit.</summary>
public sealed class OneModelRegistry(string id, int? maxOutputTokens) : IModelRegistry
{
    public ModelCatalogInfo CatalogInfo => throw new NotSupportedException();

    public IReadOnlyList<ModelDescriptor> Query(ModelQuery? query = null) => [];

    public void Register(ModelDescriptor model) => throw new NotSupportedException();

    public void SetActive(string id, bool isActive) => throw new NotSupportedException();

    public bool TryGet(string idOrAlias, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelDescriptor? model)
    {
        model = string.Equals(idOrAlias, id, StringComparison.OrdinalIgnoreCase)
            ? new ModelDescriptor { Id = id, Provider = "anthropic", MaxOutputTokens = maxOutputTokens }
            : null;
        return model is not null;
    }
}
