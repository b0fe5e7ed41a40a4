using Microsoft.Extensions.AI;

namespace LlmKit.Tests.AspNetCore;

/// <summary>An embedding generator whose vector for a text is [length, first char code, 0.5] and that reports one token per word.</summary>
public sealed class RecordingEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public List<(IReadOnlyList<string> Inputs, EmbeddingGenerationOptions? Options)> Calls { get; } = [];

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values.ToList();
        lock (Calls)
        {
            Calls.Add((inputs, options));
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Select(t => new Embedding<float>(new float[] { t.Length, t.Length == 0 ? 0 : t[0], 0.5f })))
        {
            Usage = new UsageDetails { InputTokenCount = inputs.Sum(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length), TotalTokenCount = inputs.Sum(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length) },
        };
        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
