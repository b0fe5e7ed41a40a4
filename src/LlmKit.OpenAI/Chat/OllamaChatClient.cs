using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// An <see cref="IChatClient"/> over Ollama's native chat API (<c>POST /api/chat</c>, newline-delimited JSON
/// when streaming). For Ollama's OpenAI-compatible endpoint use <see cref="OpenAIChatClient"/> with
/// <see cref="OpenAICompatibilityProfile.OllamaOpenAI"/> instead.
/// </summary>
/// <remarks>
/// Ollama's tool calls carry no ids; this client gives each one an id (<c>call_{n}</c>) and, when a
/// <see cref="FunctionResultContent"/> goes back, sends the tool's name that the id belongs to.
/// Thinking arrives as <see cref="TextReasoningContent"/>; <see cref="ReasoningOptions"/> turns <c>think</c> on.
/// </remarks>
public sealed class OllamaChatClient : IChatClient
{
    private const string Provider = "ollama";
    private static readonly string[] RequestIdHeaders = ["x-request-id"];
    private readonly ProviderTransport _transport;
    private readonly Uri _chatUri;
    private readonly string? _apiKey;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="httpClient">The HTTP client; <see langword="null"/> creates one that this client disposes.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    public OllamaChatClient(OllamaClientOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        var baseUrl = OpenAIChatClient.EnsureTrailingSlash(ConnectionChecks.CheckBaseUrl(options.BaseUrl ?? throw new LlmKitConfigurationException("OllamaClientOptions.BaseUrl is null. Set the Ollama server address."), "Ollama", "OllamaClientOptions.BaseUrl"));
        _chatUri = new Uri(baseUrl, "api/chat");
        _apiKey = !string.IsNullOrWhiteSpace(options.ApiKey) ? ConnectionChecks.NormalizeApiKey(options.ApiKey, "Ollama", "OllamaClientOptions.ApiKey")
            : ConnectionChecks.NormalizeApiKey(Environment.GetEnvironmentVariable("OLLAMA_API_KEY"), "Ollama", "OLLAMA_API_KEY");
        _transport = new ProviderTransport(
            Provider,
            "Ollama",
            _chatUri,
            _apiKey,
            ProviderTransport.StandardErrors(Provider, OpenAIResponseParser.ParseError, RequestIdHeaders),
            httpClient,
            timeProvider,
            authorization: _apiKey is null ? null : new AuthenticationHeaderValue("Bearer", _apiKey),
            customHeaders: options.Headers,
            sendAccept: false,
            networkAdvice: "Check that 'ollama serve' is running, then try again.",
            timeoutAdvice: "use a smaller model");
        _metadata = new ChatClientMetadata(Provider, baseUrl, options.DefaultModel);
    }

    /// <summary>Gets the settings.</summary>
    public OllamaClientOptions Options { get; }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var request = CreateRequest(messages, options, stream: false);
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var (buffer, length) = await _transport.ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        try
        {
            OllamaChunk chunk;
            try
            {
                chunk = OllamaChunk.Parse(buffer.AsSpan(0, length), _apiKey, whole: true);
            }
            catch (ProviderResponseFormatException ex)
            {
                throw WireFormat.Complete(ex, Provider, response.StatusCode, buffer.AsSpan(0, length), _apiKey);
            }

            var message = new ChatMessage(ChatRole.Assistant, chunk.ToContents(new List<AIContent>(), 0, out _));
            var result = new ChatResponse(message) { ModelId = chunk.Model, CreatedAt = chunk.CreatedAt, Usage = chunk.Usage };
            chunk.ApplyFinish(result);
            return result;
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
        using var request = CreateRequest(messages, options, stream: true);
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await _transport.OpenStreamAsync(response.Content, cancellationToken).ConfigureAwait(false);

        // The stream ends with a line whose "done" is true; anything else (a cut, a body that is not NDJSON) is an error.
        using var lines = new ServerSentEventReader(body, ndjson: true);
        int toolCalls = 0;
        int yielded = 0;
        string? responseId = null;
        while (true)
        {
            bool more;
            try
            {
                more = await lines.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                throw WireFormat.StreamCut(Provider, "\"done\": true", yielded, inner: ex);
            }
            catch (ProviderResponseFormatException ex)
            {
                throw WireFormat.Complete(ex, Provider, response.StatusCode, lines.Head, _apiKey);
            }

            if (!more)
            {
                throw WireFormat.StreamCut(Provider, "\"done\": true", yielded);
            }

            OllamaChunk chunk;
            try
            {
                chunk = OllamaChunk.Parse(lines.Data, _apiKey);
            }
            catch (ProviderResponseFormatException ex) when (lines.IsCutObject && ex.Provider is null)
            {
                // The last line was cut by the end of the stream: a truncation, classed like a cut between lines.
                throw WireFormat.StreamCut(Provider, "\"done\": true", yielded, inner: ex);
            }
            catch (ProviderResponseFormatException ex)
            {
                throw WireFormat.Complete(ex, Provider, response.StatusCode, lines.Data, _apiKey);
            }

            responseId ??= chunk.CreatedAt?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            var contents = chunk.ToContents(null, toolCalls, out int added);
            toolCalls += added;
            if (chunk.Usage is not null)
            {
                (contents ??= []).Add(new UsageContent(chunk.Usage));
            }

            if (contents is null && !chunk.Done)
            {
                continue;
            }

            var update = new ChatResponseUpdate
            {
                Role = ChatRole.Assistant,
                ModelId = chunk.Model,
                CreatedAt = chunk.CreatedAt,
                ResponseId = responseId,
                Contents = contents ?? [],
            };
            if (chunk.Done)
            {
                chunk.ApplyFinish(update, toolCalls > 0);
            }

            yielded++;
            yield return update;
            if (chunk.Done)
            {
                yield break;
            }
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>Disposes the HTTP client if this instance created it.</summary>
    public void Dispose() => _transport.Dispose();

    private HttpRequestMessage CreateRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream)
    {
        ChatOptionsChecks.EnsureFinite(options);
        string model = options?.ModelId ?? Options.DefaultModel
            ?? throw new LlmKitConfigurationException("No model was given for Ollama. Set ChatOptions.ModelId or OllamaClientOptions.DefaultModel.");
        var content = PooledJsonContent.Create((model, messages, options, stream, Options.KeepAlive), static (w, s) => OllamaRequestWriter.Write(w, s.model, s.messages, s.options, s.stream, s.KeepAlive));
        return _transport.CreateRequest(_chatUri, content, stream);
    }
}
