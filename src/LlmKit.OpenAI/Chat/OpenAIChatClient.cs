using System.Buffers;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using LlmKit.Http;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// An <see cref="IChatClient"/> over the OpenAI Chat Completions API and OpenAI-compatible servers
/// (Azure OpenAI, Ollama, vLLM, llama.cpp, LM Studio, Groq, Together, OpenRouter, Mistral, DeepSeek),
/// speaking HTTP directly with pooled buffers and <see cref="System.Text.Json.Utf8JsonReader"/>.
/// </summary>
public sealed class OpenAIChatClient : IChatClient
{
    private static readonly string[] RequestIdHeaders = ["x-request-id", "apim-request-id", "request-id"];
    private readonly ProviderTransport _transport;
    private readonly Uri _baseUrl;
    private readonly string? _apiKey;
    private readonly ChatClientMetadata _metadata;
    private readonly Uri _chatCompletionsUri;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="httpClient">The HTTP client (from <c>IHttpClientFactory</c>); <see langword="null"/> creates one that this client disposes.</param>
    /// <param name="timeProvider">The clock for retry-after dates; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="LlmKitConfigurationException">The profile needs a key and none is set, or no base address is known.</exception>
    public OpenAIChatClient(OpenAIConnectionOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Profile = options.Profile ?? throw new LlmKitConfigurationException("OpenAIConnectionOptions.Profile is null. Set a compatibility profile such as OpenAICompatibilityProfile.OpenAI.");
        _apiKey = ResolveApiKey(options);
        _baseUrl = EnsureTrailingSlash(ConnectionChecks.CheckBaseUrl(
            options.BaseUrl ?? Profile.DefaultBaseUrl
                ?? throw new LlmKitConfigurationException($"The {Profile.Name} profile has no default address. Set OpenAIConnectionOptions.BaseUrl (configuration key 'LlmKit:Providers:<name>:BaseUrl')."),
            Profile.Name,
            "OpenAIConnectionOptions.BaseUrl"));
        _metadata = new ChatClientMetadata(Profile.ProviderName, _baseUrl, options.DefaultModel);
        _chatCompletionsUri = new Uri(_baseUrl, "chat/completions");
        bool bearer = string.Equals(Profile.AuthHeader, "Authorization", StringComparison.OrdinalIgnoreCase);
        var fixedHeaders = new List<KeyValuePair<string, string>>(3);
        if (_apiKey is not null && !bearer)
        {
            fixedHeaders.Add(new(Profile.AuthHeader, _apiKey));
        }

        if (options.Organization is { } organization)
        {
            fixedHeaders.Add(new("OpenAI-Organization", organization));
        }

        if (options.Project is { } project)
        {
            fixedHeaders.Add(new("OpenAI-Project", project));
        }

        _transport = new ProviderTransport(
            Profile.ProviderName,
            Profile.ProviderName,
            _baseUrl,
            _apiKey,
            ProviderTransport.StandardErrors(Profile.ProviderName, OpenAIResponseParser.ParseError, RequestIdHeaders),
            httpClient,
            timeProvider,
            authorization: _apiKey is not null && bearer ? new AuthenticationHeaderValue("Bearer", _apiKey) : null,
            fixedHeaders: [.. fixedHeaders],
            customHeaders: options.Headers);
    }

    /// <summary>Gets the settings.</summary>
    public OpenAIConnectionOptions Options { get; }

    /// <summary>Gets the compatibility profile in use.</summary>
    public OpenAICompatibilityProfile Profile { get; }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string model = ResolveModel(options);
        using var request = CreateRequest(model, messages, options, stream: false);
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var (buffer, length) = await _transport.ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        try
        {
            return OpenAIResponseParser.ParseCompletion(buffer.AsSpan(0, length), Profile.ProviderName, _apiKey, response.StatusCode);
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
        string model = ResolveModel(options);
        using var request = CreateRequest(model, messages, options, stream: true);
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await _transport.OpenStreamAsync(response.Content, cancellationToken).ConfigureAwait(false);

        // Strict for every profile: a stream ends with "data: [DONE]" (OpenAI and the compatible servers LlmKit
        // profiles all send it); a clean close after a finish_reason chunk without [DONE] is still a cut stream.
        using var events = new ServerSentEventReader(body);
        var state = new OpenAIStreamState(Profile.ProviderName, _apiKey);
        string provider = Profile.ProviderName;
        int yielded = 0;
        int chunks = 0;
        bool done = false;
        while (true)
        {
            bool more;
            try
            {
                more = await events.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                throw WireFormat.StreamCut(provider, "data: [DONE]", yielded, inner: ex);
            }
            catch (ProviderResponseFormatException ex)
            {
                throw WireFormat.Complete(ex, provider, response.StatusCode, events.Head, _apiKey);
            }

            if (!more)
            {
                break;
            }

            if (events.Data.SequenceEqual("[DONE]"u8))
            {
                done = true;
                break;
            }

            ChatResponseUpdate? update;
            try
            {
                update = state.Parse(events.Data);
            }
            catch (ProviderResponseFormatException ex) when (events.IsCutObject && ex.Provider is null)
            {
                // The last event was cut by the end of the stream: a truncation, classed like a cut between events.
                throw WireFormat.StreamCut(provider, "data: [DONE]", yielded, inner: ex);
            }
            catch (ProviderResponseFormatException ex)
            {
                throw WireFormat.Complete(ex, provider, response.StatusCode, events.Data, _apiKey);
            }

            chunks++;
            if (update is not null)
            {
                yielded++;
                yield return update;
            }
        }

        if (!done)
        {
            throw events.EventCount == 0 && !events.Head.IsEmpty
                ? WireFormat.Create(provider, response.StatusCode, null, "the body is not a Server-Sent Events stream (no 'data:' line)", events.Head, _apiKey)
                : WireFormat.StreamCut(provider, "data: [DONE]", yielded);
        }

        if (chunks == 0)
        {
            throw WireFormat.Create(provider, response.StatusCode, null, "the stream sent [DONE] without any chunk before it", events.Head, _apiKey);
        }

        if (state.Complete() is { } last)
        {
            yield return last;
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
    public void Dispose() => _transport.Dispose();

    internal static string? ResolveApiKey(OpenAIConnectionOptions options)
    {
        var profile = options.Profile;
        string? key = !string.IsNullOrWhiteSpace(options.ApiKey) ? ConnectionChecks.NormalizeApiKey(options.ApiKey, profile.Name, "OpenAIConnectionOptions.ApiKey")
            : profile.ApiKeyEnvironmentVariable is { } variable ? ConnectionChecks.NormalizeApiKey(Environment.GetEnvironmentVariable(variable), profile.Name, variable) : null;
        if (string.IsNullOrWhiteSpace(key) && profile.RequiresApiKey)
        {
            throw new LlmKitConfigurationException(
                $"The {profile.Name} provider needs an API key. Set OpenAIConnectionOptions.ApiKey (configuration key 'LlmKit:Providers:<name>:ApiKey'){(profile.ApiKeyEnvironmentVariable is null ? string.Empty : $" or the {profile.ApiKeyEnvironmentVariable} environment variable")}.");
        }

        return string.IsNullOrWhiteSpace(key) ? null : key;
    }

    internal static Uri EnsureTrailingSlash(Uri uri)
        => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    internal HttpRequestMessage CreateRequest(string model, IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream)
    {
        ChatOptionsChecks.EnsureFinite(options);
        var uri = Profile.UsesAzureDeploymentUrls
            ? new Uri(_baseUrl, $"openai/deployments/{Uri.EscapeDataString(model)}/chat/completions?api-version={Uri.EscapeDataString(Options.AzureApiVersion)}")
            : _chatCompletionsUri;
        return _transport.CreateRequest(uri, OpenAIRequestWriter.Write(model, messages, options, stream, Profile, Options.IncludeStreamUsage), stream);
    }

    /// <summary>The shared send path, used by the embedding generator and the moderation client too.</summary>
    internal ProviderTransport Transport => _transport;

    private string ResolveModel(ChatOptions? options)
        => options?.ModelId ?? Options.DefaultModel
        ?? throw new LlmKitConfigurationException($"No model was given for the {Profile.Name} provider. Set ChatOptions.ModelId or OpenAIConnectionOptions.DefaultModel.");
}
