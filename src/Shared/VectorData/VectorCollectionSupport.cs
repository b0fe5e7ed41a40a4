using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace LlmKit;

/// <summary>Model building and search-input conversion shared by LlmKit's vector store collections.</summary>
internal static class VectorCollectionSupport
{
    private static readonly CollectionModelBuildingOptions BuildingOptions = new()
    {
        SupportsMultipleVectors = true,
        RequiresAtLeastOneVector = false,
    };

    public static CollectionModel BuildModel<TKey, TRecord>(VectorStoreCollectionDefinition? definition, IEmbeddingGenerator? embeddingGenerator)
    {
        var builder = new ModelBuilder(BuildingOptions);
        return typeof(TRecord) == typeof(Dictionary<string, object?>)
            ? builder.BuildDynamic(definition ?? throw new ArgumentException("A dynamic collection needs a VectorStoreCollectionDefinition naming its properties.", nameof(definition)), embeddingGenerator)
            : builder.Build(typeof(TRecord), typeof(TKey), definition, embeddingGenerator);
    }

    public static async ValueTask<ReadOnlyMemory<float>> ToVectorAsync<TInput>(TInput searchValue, VectorPropertyModel property, CancellationToken cancellationToken)
    {
        switch (searchValue)
        {
            case ReadOnlyMemory<float> memory:
                return memory;
            case float[] array:
                return array;
            case Embedding<float> embedding:
                return embedding.Vector;
            case null:
                throw new ArgumentNullException(nameof(searchValue));
        }

        if (property.EmbeddingGenerator is null)
        {
            throw new NotSupportedException(
                $"A search value of type {typeof(TInput).Name} needs an embedding generator on vector property '{property.ModelName}'; " +
                "pass ReadOnlyMemory<float>, float[] or Embedding<float>, or configure an embedding generator on the collection.");
        }

        object generated = await property.GenerateEmbeddingAsync(searchValue, cancellationToken).ConfigureAwait(false);
        return generated is Embedding<float> floats
            ? floats.Vector
            : throw new NotSupportedException($"Vector property '{property.ModelName}' needs Embedding<float>; the generator produced {generated.GetType().Name}.");
    }

    public static VectorPropertyModel VectorPropertyFor<TRecord>(CollectionModel model, VectorSearchOptions<TRecord>? options) =>
        model.GetVectorPropertyOrSingle(options ?? new VectorSearchOptions<TRecord>());

    public static void CheckTop(int top)
    {
        if (top < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(top), top, "top must be at least 1.");
        }
    }

    /// <summary>VectorData's model builder with its default rules (key, data and vector properties from attributes or a definition).</summary>
    private sealed class ModelBuilder(CollectionModelBuildingOptions options) : CollectionModelBuilder(options)
    {
        // Records are kept as objects (in memory) or as JSON (SQLite), so any type System.Text.Json writes is a valid data property.
        protected override bool IsDataPropertyTypeValid(Type type, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? supportedTypes)
        {
            supportedTypes = "any type System.Text.Json can serialize";
            return true;
        }

        protected override bool IsVectorPropertyTypeValid(Type type, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? supportedTypes)
        {
            supportedTypes = "ReadOnlyMemory<float>, float[], Embedding<float>";
            Type bare = Nullable.GetUnderlyingType(type) ?? type;
            return bare == typeof(ReadOnlyMemory<float>) || bare == typeof(float[]) || bare == typeof(Embedding<float>);
        }
    }
}
