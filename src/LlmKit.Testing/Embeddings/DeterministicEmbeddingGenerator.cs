using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmKit.Testing;

/// <summary>
/// A deterministic, offline embedding generator for tests: each lower-cased word (and each pair of adjacent words)
/// of a text is hashed into one of <see cref="Dimensions"/> buckets with a hashed sign, and the vector is normalised to
/// length 1. Texts sharing words are similar, the same text always gives the same vector, and every call is counted,
/// so tests can assert what was (not) embedded.
/// </summary>
public sealed class DeterministicEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata;
    private int _calls;
    private int _inputs;
    private Exception? _failNextCall;

    /// <summary>Initializes a new generator.</summary>
    /// <param name="dimensions">The vector length. Defaults to 256.</param>
    /// <param name="modelId">The model id it reports. Defaults to <c>deterministic-test-embedding</c>.</param>
    public DeterministicEmbeddingGenerator(int dimensions = 256, string modelId = "deterministic-test-embedding")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 2);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        Dimensions = dimensions;
        _metadata = new EmbeddingGeneratorMetadata("llmkit-testing", null, modelId, dimensions);
    }

    /// <summary>Gets the vector length.</summary>
    public int Dimensions { get; }

    /// <summary>Gets the number of <see cref="GenerateAsync"/> calls so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Gets the number of texts embedded so far.</summary>
    public int Inputs => Volatile.Read(ref _inputs);

    /// <summary>Gets or sets an exception thrown by the next call instead of embedding (then cleared). Defaults to <see langword="null"/>.</summary>
    public Exception? FailNextCall
    {
        get => Volatile.Read(ref _failNextCall);
        set => Volatile.Write(ref _failNextCall, value);
    }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Exchange(ref _failNextCall, null) is { } failure)
        {
            throw failure;
        }

        var embeddings = new GeneratedEmbeddings<Embedding<float>>();
        int inputTokens = 0;
        foreach (string value in values)
        {
            embeddings.Add(new Embedding<float>(Embed(value, out int words)) { ModelId = _metadata.DefaultModelId, CreatedAt = null });
            inputTokens += words;
        }

        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _inputs, embeddings.Count);
        embeddings.Usage = new UsageDetails { InputTokenCount = inputTokens, TotalTokenCount = inputTokens };
        return Task.FromResult(embeddings);
    }

    /// <summary>Embeds one text without counting a call.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The unit-length vector (all zeros for a text without words).</returns>
    public float[] Embed(string text) => Embed(text, out _);

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private float[] Embed(string text, out int words)
    {
        ArgumentNullException.ThrowIfNull(text);
        var vector = new float[Dimensions];
        string? previous = null;
        words = 0;
        foreach (string word in Words(text))
        {
            Add(vector, word, 1f);
            if (previous is not null)
            {
                Add(vector, previous + " " + word, 0.5f);
            }

            previous = word;
            words++;
        }

        double norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        if (norm > 0)
        {
            for (int i = 0; i < vector.Length; i++)
            {
                vector[i] = (float)(vector[i] / norm);
            }
        }

        return vector;
    }

    private void Add(float[] vector, string feature, float weight)
    {
        // FNV-1a over UTF-16 code units: stable across processes and platforms, unlike string.GetHashCode.
        ulong hash = 14695981039346656037UL;
        foreach (char c in feature)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash ^= hash >> 29;
        int bucket = (int)(hash % (ulong)Dimensions);
        vector[bucket] += (hash >> 63) == 0 ? weight : -weight;
    }

    private static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLower(c, CultureInfo.InvariantCulture));
            }
            else if (word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }
}
