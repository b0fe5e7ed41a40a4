using Microsoft.Extensions.AI;

namespace LlmKit.Samples.WebApi;

/// <summary>
/// Embeddings without a provider, for the offline sample: each word (lower-cased) is hashed into one of 256 dimensions
/// and the vector is normalised, so texts sharing words are close. Not a semantic model.
/// </summary>
public sealed class OfflineEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private const int Dimensions = 256;

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>();
        long tokens = 0;
        foreach (string text in values)
        {
            var vector = new float[Dimensions];
            foreach (string word in text.ToLowerInvariant().Split((char[])[' ', '\t', '\n', '\r', '.', ',', ';', ':', '!', '?'], StringSplitOptions.RemoveEmptyEntries))
            {
                vector[Fnv1a(word) % Dimensions] += 1;
                tokens++;
            }

            float norm = MathF.Sqrt(vector.Sum(v => v * v));
            if (norm > 0)
            {
                for (int i = 0; i < vector.Length; i++)
                {
                    vector[i] /= norm;
                }
            }

            result.Add(new Embedding<float>(vector) { ModelId = "offline-hash-256" });
        }

        result.Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens };
        return Task.FromResult(result);
    }

    private static uint Fnv1a(string word)
    {
        uint hash = 2166136261;
        foreach (char c in word)
        {
            hash = (hash ^ c) * 16777619;
        }

        return hash;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
