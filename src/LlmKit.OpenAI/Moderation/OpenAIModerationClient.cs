using System.Buffers;
using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// The OpenAI moderation endpoint as an <see cref="IContentClassifier"/>: one finding per category with the
/// category's score, spanning the whole text. Finding types are the categories in upper case with
/// separators as underscores (for example <c>HATE_THREATENING</c>, <c>SELF_HARM_INTENT</c>).
/// </summary>
public sealed class OpenAIModerationClient : IContentClassifier, IDisposable
{
    private readonly OpenAIChatClient _client;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The settings; <see cref="OpenAIConnectionOptions.DefaultModel"/> defaults to <c>omni-moderation-latest</c> when not set.</param>
    /// <param name="httpClient">The HTTP client; <see langword="null"/> creates one.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    public OpenAIModerationClient(OpenAIConnectionOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = new OpenAIChatClient(options, httpClient, timeProvider);
    }

    /// <summary>Gets the classifier's name: <c>openai-moderation</c>.</summary>
    public string Name => "openai-moderation";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<SafetyFinding>> ClassifyAsync(string text, GuardDirection direction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        string model = _client.Options.DefaultModel ?? "omni-moderation-latest";
        var uri = new Uri(_client.GetService<ChatClientMetadata>()!.ProviderUri!, "moderations");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = PooledJsonContent.Create((model, text), static (w, s) =>
            {
                w.WriteStartObject();
                w.WriteString("model"u8, s.model);
                w.WriteString("input"u8, s.text);
                w.WriteEndObject();
            }),
        };
        _client.Transport.ApplyHeaders(request.Headers, stream: false);
        using var response = await _client.Transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var (buffer, length) = await _client.Transport.ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        try
        {
            return Parse(buffer.AsSpan(0, length), text.Length, Name);
        }
        catch (JsonException ex)
        {
            throw new ResponseParseException("The moderation response is not valid JSON. Check the base address.", ex) { Provider = _client.Profile.ProviderName };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Disposes the HTTP client if this instance created it.</summary>
    public void Dispose() => _client.Dispose();

    internal static IReadOnlyList<SafetyFinding> Parse(ReadOnlySpan<byte> json, int textLength, string recognizer)
    {
        var findings = new List<SafetyFinding>();
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("results"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (!reader.ValueTextEquals("category_scores"u8))
                    {
                        reader.Read();
                        reader.Skip();
                        continue;
                    }

                    reader.Read();
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        string category = reader.GetString()!;
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.Number)
                        {
                            string type = category.ToUpperInvariant().Replace('/', '_').Replace('-', '_');
                            findings.Add(new SafetyFinding(type, 0, textLength, Math.Clamp(reader.GetDouble(), 0, 1), recognizer));
                        }
                    }
                }
            }
        }

        return findings;
    }
}
