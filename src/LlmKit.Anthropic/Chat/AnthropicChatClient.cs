using System.Buffers;
using System.Runtime.CompilerServices;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// An <see cref="IChatClient"/> over the Anthropic Messages API (<c>POST {base}/v1/messages</c>), speaking HTTP
/// directly with pooled buffers and <see cref="System.Text.Json.Utf8JsonReader"/>. Through
/// <see cref="GetService"/> it also offers an <see cref="IExactTokenCounter"/> over
/// <c>POST {base}/v1/messages/count_tokens</c>.
/// </summary>
public sealed class AnthropicChatClient : IChatClient
{
    /// <summary>
    /// The timeout of the HTTP client this class creates, and of the <c>LlmKit.Anthropic</c> client that
    /// <c>AddAnthropic</c> registers: 10 minutes, as in Anthropic's own SDKs (a non-streaming call with a large
    /// <c>max_tokens</c> can run for minutes, and the <see cref="HttpClient"/> default of 100 seconds would cut it
    /// off). LlmKit's resilience stage sets shorter per-attempt limits where the app wants them.
    /// </summary>
    internal static readonly TimeSpan DefaultHttpTimeout = TimeSpan.FromMinutes(10);

    private readonly ProviderTransport _transport;
    private readonly IModelRegistry? _modelRegistry;
    private readonly string _apiKey;
    private readonly string? _defaultModel;
    private readonly int _defaultMaxOutputTokens;
    private readonly AnthropicThinkingStyle _thinkingStyle;
    private readonly Uri _messagesUri;
    private readonly Uri _countTokensUri;
    private readonly ChatClientMetadata _metadata;
    private AnthropicTokenCounter? _tokenCounter;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The settings; read once, here.</param>
    /// <param name="httpClient">The HTTP client (from <c>IHttpClientFactory</c>); <see langword="null"/> creates one (with a 10-minute timeout) that this client disposes.</param>
    /// <param name="timeProvider">The clock for <c>retry-after</c> dates; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="modelRegistry">The model registry, used for the model's output limit when a call sets no <c>MaxOutputTokens</c>; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="LlmKitConfigurationException">No API key is set and <c>ANTHROPIC_API_KEY</c> is empty, or a setting is invalid.</exception>
    public AnthropicChatClient(AnthropicClientOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null, IModelRegistry? modelRegistry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? key = !string.IsNullOrWhiteSpace(options.ApiKey)
            ? ConnectionChecks.NormalizeApiKey(options.ApiKey, "Anthropic", "AnthropicClientOptions.ApiKey")
            : ConnectionChecks.NormalizeApiKey(Environment.GetEnvironmentVariable(AnthropicClientOptions.ApiKeyEnvironmentVariable), "Anthropic", AnthropicClientOptions.ApiKeyEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new LlmKitConfigurationException(
                $"The Anthropic provider needs an API key. Set AnthropicClientOptions.ApiKey (configuration key 'LlmKit:Providers:<name>:ApiKey') or the {AnthropicClientOptions.ApiKeyEnvironmentVariable} environment variable.",
                ["LlmKit:Providers:<name>:ApiKey", AnthropicClientOptions.ApiKeyEnvironmentVariable]);
        }

        if (string.IsNullOrWhiteSpace(options.AnthropicVersion))
        {
            throw new LlmKitConfigurationException("AnthropicClientOptions.AnthropicVersion is empty. Leave it at its default (2023-06-01) or set the version the API expects.", ["LlmKit:Providers:<name>:Settings:AnthropicVersion"]);
        }

        if (options.DefaultMaxOutputTokens <= 0)
        {
            throw new LlmKitConfigurationException($"AnthropicClientOptions.DefaultMaxOutputTokens is {options.DefaultMaxOutputTokens}; it must be positive.", ["LlmKit:Providers:<name>:Settings:DefaultMaxOutputTokens"]);
        }

        var baseUrl = options.BaseUrl ?? AnthropicClientOptions.DefaultBaseUrl;
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new LlmKitConfigurationException($"AnthropicClientOptions.BaseUrl '{SecretMasker.Url(baseUrl)}' must be an absolute http or https address.", ["LlmKit:Providers:<name>:BaseUrl"]);
        }

        _apiKey = key;
        _defaultModel = options.DefaultModel;
        _defaultMaxOutputTokens = options.DefaultMaxOutputTokens;
        _thinkingStyle = options.ThinkingStyle;
        string root = baseUrl.AbsoluteUri.TrimEnd('/');
        string v1 = root.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? root : root + "/v1";
        _messagesUri = new Uri(v1 + "/messages");
        _countTokensUri = new Uri(v1 + "/messages/count_tokens");
        _transport = new ProviderTransport(
            AnthropicWire.ProviderName,
            "Anthropic",
            _messagesUri,
            key,
            ProviderTransport.StandardErrors(AnthropicWire.ProviderName, AnthropicWire.ParseError, AnthropicWire.RequestIdHeaders),
            httpClient,
            timeProvider,
            fixedHeaders: [new("x-api-key", key), new("anthropic-version", options.AnthropicVersion)],
            customHeaders: options.Headers,
            ownedClientTimeout: DefaultHttpTimeout,
            sizeBodyFromContentLength: true);
        _modelRegistry = modelRegistry;
        _metadata = new ChatClientMetadata(AnthropicWire.ProviderName, baseUrl, options.DefaultModel);
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var request = CreateRequest(_messagesUri, messages, options, stream: false, countOnly: false);
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var (buffer, length) = await _transport.ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        try
        {
            return AnthropicResponseParser.ParseMessage(buffer.AsSpan(0, length), _apiKey, response.StatusCode);
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
        using var request = CreateRequest(_messagesUri, messages, options, stream: true, countOnly: false);
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await _transport.OpenStreamAsync(response.Content, cancellationToken).ConfigureAwait(false);

        // The stream must end with message_stop; a cut (between events or inside one) is a retryable network error.
        using var events = new ServerSentEventReader(body);
        using var parser = new AnthropicStreamParser(_apiKey, RequestIdOf(response));
        string? requestId = RequestIdOf(response);
        int yielded = 0;
        while (!parser.IsComplete)
        {
            // Events already buffered are read without touching the network; honour the caller's token anyway.
            cancellationToken.ThrowIfCancellationRequested();
            bool more;
            try
            {
                more = await events.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                throw WireFormat.StreamCut(AnthropicWire.ProviderName, "message_stop", yielded, requestId, ex);
            }
            catch (Exception ex) when (ProviderTransport.IsFailure(ex, cancellationToken))
            {
                throw _transport.Failure(ex);
            }
            catch (ProviderResponseFormatException ex)
            {
                throw WireFormat.Complete(ex, AnthropicWire.ProviderName, response.StatusCode, events.Head, _apiKey);
            }

            if (!more)
            {
                break;
            }

            ChatResponseUpdate? update;
            try
            {
                update = parser.Parse(events.EventType, events.Data);
            }
            catch (ProviderResponseFormatException ex) when (events.IsCutObject && ex.Provider is null)
            {
                // The last event was cut by the end of the stream: a truncation, classed like a cut between events.
                throw WireFormat.StreamCut(AnthropicWire.ProviderName, "message_stop", yielded, requestId, ex);
            }
            catch (ProviderResponseFormatException ex)
            {
                throw WireFormat.Complete(ex, AnthropicWire.ProviderName, response.StatusCode, events.Data, _apiKey);
            }

            if (update is not null)
            {
                yielded++;
                yield return update;
            }
        }

        if (!parser.IsComplete)
        {
            throw events.EventCount == 0 && !events.Head.IsEmpty
                ? WireFormat.Create(AnthropicWire.ProviderName, response.StatusCode, null, "the body is not a Server-Sent Events stream (no 'data:' line)", events.Head, _apiKey)
                : WireFormat.StreamCut(AnthropicWire.ProviderName, "message_stop", yielded, requestId);
        }

        if (!parser.HasStarted)
        {
            throw WireFormat.Create(AnthropicWire.ProviderName, response.StatusCode, null, "the stream sent message_stop without message_start", events.Head, _apiKey);
        }

        yield return parser.Complete();
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Returns this client, its <see cref="ChatClientMetadata"/> (provider <c>anthropic</c>, the base address,
    /// the default model), and an <see cref="IExactTokenCounter"/> (an <see cref="AnthropicTokenCounter"/>) over the
    /// token-count endpoint. Keyed requests return <see langword="null"/>.
    /// </remarks>
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

        if (serviceType == typeof(IExactTokenCounter) || serviceType == typeof(AnthropicTokenCounter))
        {
            return _tokenCounter ??= new AnthropicTokenCounter(this);
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Disposes the HTTP client if this instance created it.</summary>
    public void Dispose() => _transport.Dispose();

    /// <summary>Counts the prompt tokens of a request with <c>POST /v1/messages/count_tokens</c>.</summary>
    internal async Task<int> CountTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var request = CreateRequest(_countTokensUri, messages, options, stream: false, countOnly: true);
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var (buffer, length) = await _transport.ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        try
        {
            return AnthropicResponseParser.ParseTokenCount(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal HttpRequestMessage CreateRequest(Uri uri, IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream, bool countOnly)
    {
        ChatOptionsChecks.EnsureFinite(options);
        string model = options?.ModelId ?? _defaultModel
            ?? throw new LlmKitConfigurationException("No model was given for the Anthropic provider. Set ChatOptions.ModelId or AnthropicClientOptions.DefaultModel (configuration key 'LlmKit:Providers:<name>:DefaultModel').", ["LlmKit:Providers:<name>:DefaultModel"]);
        var content = AnthropicRequestWriter.Write(new AnthropicRequest(model, messages, options, ResolveMaxTokens(model, options), stream, _thinkingStyle, countOnly));
        return _transport.CreateRequest(uri, content, stream);
    }

    /// <summary><c>max_tokens</c>: the call's <c>MaxOutputTokens</c>, else the registry's output limit for the model, else the configured default.</summary>
    internal int ResolveMaxTokens(string model, ChatOptions? options)
    {
        if (options?.MaxOutputTokens is int max)
        {
            return max;
        }

        if (_modelRegistry is not null && _modelRegistry.TryGet(model, out var descriptor) && descriptor.MaxOutputTokens is int limit && limit > 0)
        {
            return limit;
        }

        return _defaultMaxOutputTokens;
    }

    private static string? RequestIdOf(HttpResponseMessage response)
    {
        foreach (string header in AnthropicWire.RequestIdHeaders)
        {
            if (response.Headers.TryGetValues(header, out var values))
            {
                foreach (string value in values)
                {
                    return value;
                }
            }
        }

        return null;
    }
}
