using System.Buffers;
using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over Gemini's <c>embedContent</c> (one input) and
/// <c>batchEmbedContents</c> (several inputs, up to 100 per request) endpoints.
/// </summary>
/// <remarks>
/// <see cref="EmbeddingGenerationOptions.Dimensions"/> maps to <c>outputDimensionality</c>; entries of
/// <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> (for example <c>taskType</c> or <c>title</c>) are
/// written into each embed request as raw fields, except keys starting with <c>llmkit.</c>.
/// </remarks>
public sealed class GeminiEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The most inputs Gemini takes in one <c>batchEmbedContents</c> request: 100.</summary>
    public const int MaxBatchSize = 100;

    private readonly GeminiConnection _connection;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The settings; <see cref="GeminiClientOptions.DefaultEmbeddingModel"/> names the model used when a call names none.</param>
    /// <param name="httpClient">The HTTP client (from <c>IHttpClientFactory</c>); <see langword="null"/> creates one that this generator disposes.</param>
    /// <param name="timeProvider">The clock for retry-after dates; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="LlmKitConfigurationException">No API key is set in <see cref="GeminiClientOptions.ApiKey"/>, <c>GEMINI_API_KEY</c> or <c>GOOGLE_API_KEY</c>.</exception>
    public GeminiEmbeddingGenerator(GeminiClientOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _connection = new GeminiConnection(options, httpClient, timeProvider);
        _metadata = new EmbeddingGeneratorMetadata(GeminiErrors.Provider, _connection.BaseUrl, options.DefaultEmbeddingModel);
    }

    /// <summary>Gets the settings.</summary>
    public GeminiClientOptions Options { get; }

    /// <inheritdoc/>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        string model = options?.ModelId ?? Options.DefaultEmbeddingModel;
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new LlmKitConfigurationException(
                "No embedding model was given for the Gemini provider. Set EmbeddingGenerationOptions.ModelId or GeminiClientOptions.DefaultEmbeddingModel.",
                ["LlmKit:Providers:<name>:Settings:DefaultEmbeddingModel"]);
        }

        if (model.StartsWith("gemini/", StringComparison.OrdinalIgnoreCase))
        {
            model = model["gemini/".Length..];
        }

        var inputs = values as IReadOnlyList<string> ?? values.ToList();
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        if (inputs.Count == 1)
        {
            var content = PooledJsonContent.Create((inputs[0], options), static (w, s) =>
            {
                w.WriteStartObject();
                WriteEmbedRequestFields(w, s.Item1, s.options);
                w.WriteEndObject();
            });
            await SendAsync(_connection.GetUri(model, "embedContent"), content, model, result, cancellationToken).ConfigureAwait(false);
            return result;
        }

        for (int start = 0; start < inputs.Count; start += MaxBatchSize)
        {
            int count = Math.Min(MaxBatchSize, inputs.Count - start);
            var content = PooledJsonContent.Create((inputs, start, count, model, options), static (w, s) =>
            {
                string resource = GeminiRequestWriter.ModelResource(s.model);
                w.WriteStartObject();
                w.WriteStartArray("requests"u8);
                for (int i = s.start; i < s.start + s.count; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("model"u8, resource);
                    WriteEmbedRequestFields(w, s.inputs[i], s.options);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
            int before = result.Count;
            await SendAsync(_connection.GetUri(model, "batchEmbedContents"), content, model, result, cancellationToken).ConfigureAwait(false);
            if (result.Count - before != count)
            {
                throw GeminiChatClient.Invalid(new JsonException($"batchEmbedContents returned {result.Count - before} embeddings for {count} inputs."));
            }
        }

        return result;
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Disposes the HTTP client if this instance created it.</summary>
    public void Dispose() => _connection.Dispose();

    private static void WriteEmbedRequestFields(Utf8JsonWriter w, string text, EmbeddingGenerationOptions? options)
    {
        w.WriteStartObject("content"u8);
        w.WriteStartArray("parts"u8);
        w.WriteStartObject();
        w.WriteString("text"u8, text);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        if (options?.Dimensions is { } dimensions)
        {
            w.WriteNumber("outputDimensionality"u8, dimensions);
        }

        if (options?.AdditionalProperties is { Count: > 0 } extra)
        {
            foreach (var (key, value) in extra)
            {
                if (key.StartsWith("llmkit.", StringComparison.Ordinal) || key is "content" or "model")
                {
                    continue;
                }

                w.WritePropertyName(key);
                GeminiJson.WriteValue(w, value);
            }
        }
    }

    private async Task SendAsync(Uri uri, HttpContent content, string model, GeneratedEmbeddings<Embedding<float>> result, CancellationToken cancellationToken)
    {
        using var request = _connection.Transport.CreateRequest(uri, content, stream: false);
        using var response = await _connection.Transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var (buffer, length) = await _connection.Transport.ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        try
        {
            ReadEmbeddings(buffer.AsSpan(0, length), model, result);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw GeminiChatClient.Invalid(ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads <c>{"embedding":{"values":[...]}}</c> or <c>{"embeddings":[{"values":[...]}, ...]}</c>.</summary>
    internal static void ReadEmbeddings(ReadOnlySpan<byte> json, string model, GeneratedEmbeddings<Embedding<float>> result)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The embedding response is not a JSON object.");
        }

        var scratch = new List<float>(1024);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("embedding"u8))
            {
                reader.Read();
                result.Add(ReadEmbedding(ref reader, model, scratch));
            }
            else if (reader.ValueTextEquals("embeddings"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new JsonException("'embeddings' is not an array.");
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    result.Add(ReadEmbedding(ref reader, model, scratch));
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static Embedding<float> ReadEmbedding(ref Utf8JsonReader reader, string model, List<float> scratch)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("An embedding is not a JSON object.");
        }

        float[]? vector = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("values"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new JsonException("'values' is not an array.");
                }

                scratch.Clear();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    scratch.Add(reader.GetSingle());
                }

                vector = scratch.ToArray();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new Embedding<float>(vector ?? throw new JsonException("An embedding has no 'values'.")) { ModelId = model };
    }
}
