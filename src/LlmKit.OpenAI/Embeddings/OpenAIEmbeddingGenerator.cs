using System.Buffers;
using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over the OpenAI embeddings endpoint (and compatible servers).</summary>
public sealed class OpenAIEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly OpenAIChatClient _client;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The settings; <see cref="OpenAIConnectionOptions.DefaultModel"/> is the embedding model used when a call names none.</param>
    /// <param name="httpClient">The HTTP client; <see langword="null"/> creates one that this instance disposes.</param>
    /// <param name="timeProvider">The clock for retry-after dates; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="LlmKitConfigurationException">The profile needs a key and none is set, or no base address is known.</exception>
    public OpenAIEmbeddingGenerator(OpenAIConnectionOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
    {
        _client = new OpenAIChatClient(options, httpClient, timeProvider);
        _metadata = new EmbeddingGeneratorMetadata(_client.Profile.ProviderName, _client.GetService<ChatClientMetadata>()?.ProviderUri, options.DefaultModel);
    }

    /// <inheritdoc/>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values as IReadOnlyList<string> ?? values.ToList();
        string model = options?.ModelId ?? _client.Options.DefaultModel
            ?? throw new LlmKitConfigurationException("No embedding model was given. Set EmbeddingGenerationOptions.ModelId or OpenAIConnectionOptions.DefaultModel.");
        var uri = _client.Profile.UsesAzureDeploymentUrls
            ? new Uri(OpenAIChatClient.EnsureTrailingSlash(_client.Options.BaseUrl!), $"openai/deployments/{Uri.EscapeDataString(model)}/embeddings?api-version={Uri.EscapeDataString(_client.Options.AzureApiVersion)}")
            : new Uri(_client.GetService<ChatClientMetadata>()!.ProviderUri!, "embeddings");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = PooledJsonContent.Create((model, inputs, options), static (w, s) =>
            {
                w.WriteStartObject();
                w.WriteString("model"u8, s.model);
                w.WriteStartArray("input"u8);
                foreach (string input in s.inputs)
                {
                    w.WriteStringValue(input);
                }

                w.WriteEndArray();
                w.WriteString("encoding_format"u8, "float"u8);
                if (s.options?.Dimensions is { } dimensions)
                {
                    w.WriteNumber("dimensions"u8, dimensions);
                }

                if (s.options?.AdditionalProperties is { } extra)
                {
                    foreach (var (key, value) in extra)
                    {
                        if (!key.StartsWith("llmkit.", StringComparison.Ordinal))
                        {
                            w.WritePropertyName(key);
                            OpenAIRequestWriter.WriteValue(w, value);
                        }
                    }
                }

                w.WriteEndObject();
            }),
        };
        _client.Transport.ApplyHeaders(request.Headers, stream: false);
        using var response = await _client.Transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var (buffer, length) = await _client.Transport.ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        try
        {
            return Parse(buffer.AsSpan(0, length), inputs.Count);
        }
        catch (JsonException ex)
        {
            throw new ResponseParseException($"The embeddings response from {_client.Profile.ProviderName} is not valid JSON. Check the base address.", ex) { Provider = _client.Profile.ProviderName };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>Disposes the HTTP client if this instance created it.</summary>
    public void Dispose() => _client.Dispose();

    private static GeneratedEmbeddings<Embedding<float>> Parse(ReadOnlySpan<byte> json, int expected)
    {
        var reader = new Utf8JsonReader(json);
        var embeddings = new Embedding<float>?[expected];
        string? model = null;
        UsageDetails? usage = null;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    int index = 0;
                    float[]? vector = null;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("index"u8))
                        {
                            reader.Read();
                            index = reader.GetInt32();
                        }
                        else if (reader.ValueTextEquals("embedding"u8))
                        {
                            reader.Read();
                            var values = new List<float>(1536);
                            while (reader.Read() && reader.TokenType == JsonTokenType.Number)
                            {
                                values.Add(reader.GetSingle());
                            }

                            vector = values.ToArray();
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }

                    if (vector is not null && index >= 0 && index < embeddings.Length)
                    {
                        embeddings[index] = new Embedding<float>(vector);
                    }
                }
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                model = reader.GetString();
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                usage = OpenAIResponseParser.ParseUsage(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(expected) { Usage = usage };
        for (int i = 0; i < embeddings.Length; i++)
        {
            var embedding = embeddings[i] ?? throw new ResponseParseException($"The embeddings response has no vector for input {i}. The server returned fewer embeddings than inputs.");
            embedding.ModelId = model;
            result.Add(embedding);
        }

        return result;
    }
}
