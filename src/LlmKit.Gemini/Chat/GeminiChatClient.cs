using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// An <see cref="IChatClient"/> over the Google Gemini API (<c>generateContent</c> and
/// <c>streamGenerateContent</c>), speaking HTTP directly with pooled buffers and
/// <see cref="Utf8JsonReader"/>. Also counts prompt tokens with Gemini's <c>countTokens</c> endpoint
/// (<see cref="IExactTokenCounter"/>, reachable with <c>GetService</c>).
/// </summary>
public sealed class GeminiChatClient : IChatClient, IExactTokenCounter
{
    private readonly GeminiConnection _connection;
    private readonly IModelRegistry? _modelRegistry;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="httpClient">The HTTP client (from <c>IHttpClientFactory</c>); <see langword="null"/> creates one that this client disposes.</param>
    /// <param name="timeProvider">The clock for retry-after dates; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="modelRegistry">
    /// The model registry, or <see langword="null"/>. When it knows the model it supplies the id Gemini expects
    /// (<see cref="ModelDescriptor.ProviderModelId"/>) and, for models without <see cref="ModelCapabilities.Reasoning"/>,
    /// keeps <c>ChatOptions.Reasoning</c> from adding a <c>thinkingConfig</c> the model would reject.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="LlmKitConfigurationException">No API key is set in <see cref="GeminiClientOptions.ApiKey"/>, <c>GEMINI_API_KEY</c> or <c>GOOGLE_API_KEY</c>, or the base address is not absolute.</exception>
    public GeminiChatClient(GeminiClientOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null, IModelRegistry? modelRegistry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _connection = new GeminiConnection(options, httpClient, timeProvider);
        _modelRegistry = modelRegistry;
        _metadata = new ChatClientMetadata(GeminiErrors.Provider, _connection.BaseUrl, options.DefaultModel);
    }

    /// <summary>Gets the settings.</summary>
    public GeminiClientOptions Options { get; }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var settings = ResolveSettings(options);
        using var request = _connection.Transport.CreateRequest(
            _connection.GetUri(settings.Model, "generateContent"),
            GeminiRequestWriter.WriteGenerateContent(messages, options, settings),
            stream: false);
        using var response = await _connection.Transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var (buffer, length) = await _connection.Transport.ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        try
        {
            return Parse(buffer.AsSpan(0, length), _connection.ApiKey, response.StatusCode);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var settings = ResolveSettings(options);
        using var request = _connection.Transport.CreateRequest(
            _connection.GetUri(settings.Model, "streamGenerateContent"),
            GeminiRequestWriter.WriteGenerateContent(messages, options, settings),
            stream: true);
        using var response = await _connection.Transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await _connection.Transport.OpenStreamAsync(response.Content, cancellationToken).ConfigureAwait(false);

        // The stream ends with a chunk whose candidate has a finishReason; anything else is a cut or a malformed body.
        using var events = new ServerSentEventReader(body);
        var stream = new GeminiStreamState(_connection.ApiKey);
        int yielded = 0;
        while (true)
        {
            bool more;
            try
            {
                more = await events.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                throw WireFormat.StreamCut(GeminiErrors.Provider, "a candidate with a finishReason", yielded, inner: ex);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw _connection.Transport.Failure(ex);
            }
            catch (ProviderResponseFormatException ex)
            {
                throw WireFormat.Complete(ex, GeminiErrors.Provider, response.StatusCode, events.Head, _connection.ApiKey);
            }

            if (!more)
            {
                break;
            }

            ChatResponseUpdate? update;
            try
            {
                update = stream.Read(events.Data);
            }
            catch (ProviderResponseFormatException ex) when (events.IsCutObject && ex.Provider is null)
            {
                // The last event was cut by the end of the stream: a truncation, classed like a cut between events.
                throw WireFormat.StreamCut(GeminiErrors.Provider, "a candidate with a finishReason", yielded, inner: ex);
            }
            catch (ProviderResponseFormatException ex)
            {
                throw WireFormat.Complete(ex, GeminiErrors.Provider, response.StatusCode, events.Data, _connection.ApiKey);
            }

            if (update is not null)
            {
                yielded++;
                yield return update;
            }
        }

        if (!stream.IsFinished)
        {
            throw events.EventCount == 0 && !events.Head.IsEmpty
                ? WireFormat.Create(GeminiErrors.Provider, response.StatusCode, null, "the body is not a Server-Sent Events stream (no 'data:' line)", events.Head, _connection.ApiKey)
                : WireFormat.StreamCut(GeminiErrors.Provider, "a candidate with a finishReason", yielded);
        }

        yield return stream.Complete();
    }

    /// <summary>
    /// Counts the prompt tokens of a request with Gemini's <c>countTokens</c> endpoint, sending the whole
    /// <c>generateContentRequest</c> so that the system instruction and tools are counted too.
    /// </summary>
    /// <param name="messages">The messages.</param>
    /// <param name="options">The options (model, tools, instructions), or <see langword="null"/> for <see cref="GeminiClientOptions.DefaultModel"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Gemini's <c>totalTokens</c>.</returns>
    /// <exception cref="LlmKitConfigurationException">No model is named and there is no default model.</exception>
    /// <exception cref="LlmKitException">Gemini returned an error or an answer without <c>totalTokens</c>.</exception>
    public async Task<int> CountTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var settings = ResolveSettings(options);
        using var request = _connection.Transport.CreateRequest(
            _connection.GetUri(settings.Model, "countTokens"),
            GeminiRequestWriter.WriteCountTokens(messages, options, settings),
            stream: false);
        using var response = await _connection.Transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var (buffer, length) = await _connection.Transport.ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        try
        {
            return ParseTotalTokens(buffer.AsSpan(0, length));
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
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Disposes the HTTP client if this instance created it.</summary>
    public void Dispose() => _connection.Dispose();

    /// <summary>Parses a whole <c>generateContent</c> body.</summary>
    /// <remarks>
    /// A 200 must carry a non-empty <c>candidates</c> array (a blocked prompt is a <see cref="ContentBlockedException"/>);
    /// anything else, a wrongly typed field or a bad token count is a <see cref="ProviderResponseFormatException"/>.
    /// </remarks>
    internal static ChatResponse Parse(ReadOnlySpan<byte> json, string? apiKey, System.Net.HttpStatusCode status = System.Net.HttpStatusCode.OK)
    {
        var reader = new GeminiResponseReader(apiKey, streaming: false);
        var contents = new List<AIContent>();
        try
        {
            reader.Read(json, contents);
            if (!reader.SawCandidate)
            {
                throw WireFormat.Field("candidates", "is missing or empty");
            }
        }
        catch (ProviderResponseFormatException ex)
        {
            throw WireFormat.Complete(ex, GeminiErrors.Provider, status, json, apiKey);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw WireFormat.Create(GeminiErrors.Provider, status, null, "the body is not valid JSON of the expected shape", json, apiKey, ex);
        }

        var message = new ChatMessage(ChatRole.Assistant, contents) { MessageId = reader.ResponseId };
        return new ChatResponse(message)
        {
            ResponseId = reader.ResponseId,
            ModelId = reader.ModelVersion,
            FinishReason = reader.FinishReason,
            Usage = reader.Usage.HasValues ? reader.Usage.ToUsageDetails() : null,
            AdditionalProperties = reader.AddResponseProperties(null),
        };
    }

    internal static ResponseParseException Invalid(Exception ex)
        => new($"{GeminiErrors.Provider} sent a response that could not be read ({ex.Message}). Check that the base address points at the Gemini API.", ex)
        {
            Provider = GeminiErrors.Provider,
        };

    private static int ParseTotalTokens(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("totalTokens"u8))
                    {
                        reader.Read();
                        return reader.GetInt32();
                    }

                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw Invalid(ex);
        }

        throw Invalid(new JsonException("countTokens answered without totalTokens."));
    }

    private GeminiRequestSettings ResolveSettings(ChatOptions? options)
    {
        ChatOptionsChecks.EnsureFinite(options);
        string model = options?.ModelId ?? Options.DefaultModel
            ?? throw new LlmKitConfigurationException(
                "No model was given for the Gemini provider. Set ChatOptions.ModelId or GeminiClientOptions.DefaultModel (configuration key 'LlmKit:Providers:<name>:DefaultModel').",
                ["LlmKit:Providers:<name>:DefaultModel"]);
        bool thinkingAllowed = true;
        if (_modelRegistry is not null && _modelRegistry.TryGet(model, out var descriptor) && IsGeminiProvider(descriptor.Provider))
        {
            if (!string.IsNullOrWhiteSpace(descriptor.ProviderModelId))
            {
                model = descriptor.ProviderModelId;
            }

            thinkingAllowed = descriptor.Capabilities == ModelCapabilities.None || descriptor.Capabilities.HasFlag(ModelCapabilities.Reasoning);
        }

        // Catalog ids carry a provider prefix (gemini/gemini-2.5-pro) that the API does not take.
        if (model.StartsWith("gemini/", StringComparison.OrdinalIgnoreCase))
        {
            model = model["gemini/".Length..];
        }

        return new GeminiRequestSettings(model, thinkingAllowed);
    }

    private static bool IsGeminiProvider(string provider)
        => provider.Contains("gemini", StringComparison.OrdinalIgnoreCase) || provider.Contains("google", StringComparison.OrdinalIgnoreCase);
}
