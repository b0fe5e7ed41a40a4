using LlmKit;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Gemini provider with LlmKit: <c>services.AddLlmKit(kit =&gt; kit.AddGemini())</c>.</summary>
public static class GeminiLlmKitBuilderExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> LlmKit asks <see cref="IHttpClientFactory"/> for: <c>LlmKit.Gemini</c>.</summary>
    public const string HttpClientName = "LlmKit.Gemini";

    /// <summary>The provider type that configured connections name in <c>LlmKit:Providers:{name}:Type</c>: <c>Gemini</c>.</summary>
    public const string ProviderTypeName = "Gemini";

    /// <summary>
    /// Registers a Gemini provider connection named <paramref name="name"/>, the <c>Gemini</c> provider type for
    /// configured connections, the named <see cref="HttpClient"/> <c>LlmKit.Gemini</c>, and a
    /// <see cref="GeminiEmbeddingGenerator"/> as a keyed <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>
    /// (key: <paramref name="name"/>). The options are named options (<c>services.Configure&lt;GeminiClientOptions&gt;(name, ...)</c>
    /// adds to them).
    /// </summary>
    /// <param name="kit">The LlmKit builder.</param>
    /// <param name="name">The connection name that deployments refer to. Defaults to <c>gemini</c>.</param>
    /// <param name="configure">Sets the options; <see langword="null"/> keeps the defaults (the key from <c>GEMINI_API_KEY</c> or <c>GOOGLE_API_KEY</c>).</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="kit"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="LlmKitConfigurationException">A connection with the same name is already registered.</exception>
    public static ILlmKitBuilder AddGemini(this ILlmKitBuilder kit, string name = "gemini", Action<GeminiClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        kit.AddGeminiProviderType();
        var options = kit.Services.AddOptions<GeminiClientOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        kit.AddHttpProvider(name, HttpClientName, (sp, http) => new GeminiChatClient(
            sp.GetRequiredService<IOptionsMonitor<GeminiClientOptions>>().Get(name),
            http,
            sp.GetService<TimeProvider>(),
            sp.GetService<IModelRegistry>()));
        kit.Services.AddKeyedSingleton<IEmbeddingGenerator<string, Embedding<float>>>(name, (sp, _) => new GeminiEmbeddingGenerator(
            sp.GetRequiredService<IOptionsMonitor<GeminiClientOptions>>().Get(name),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            sp.GetService<TimeProvider>()));
        return kit;
    }

    /// <summary>
    /// Registers only the <c>Gemini</c> provider type, so that connections configured under
    /// <c>LlmKit:Providers:{name}</c> with <c>Type = "Gemini"</c> can be created. Settings map as: <c>ApiKey</c>,
    /// <c>BaseUrl</c>, <c>DefaultModel</c>, <c>Headers</c>; the <c>Settings</c> section binds to
    /// <see cref="GeminiProviderSettings"/> (<c>Settings:ApiVersion</c>, <c>Settings:DefaultEmbeddingModel</c>), validated
    /// at host start-up. Calling it more than once registers the type once.
    /// </summary>
    /// <param name="kit">The LlmKit builder.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="kit"/> is <see langword="null"/>.</exception>
    public static ILlmKitBuilder AddGeminiProviderType(this ILlmKitBuilder kit)
    {
        ArgumentNullException.ThrowIfNull(kit);
        foreach (var descriptor in kit.Services)
        {
            if (descriptor.ServiceType == typeof(GeminiProviderTypeMarker))
            {
                return kit;
            }
        }

        kit.Services.AddSingleton<GeminiProviderTypeMarker>();
        kit.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GeminiProviderSettings>, GeminiProviderSettingsValidator>());
        kit.AddHttpProviderType<GeminiProviderSettings>(ProviderTypeName, HttpClientName, static (sp, settings, typed, http) => new GeminiChatClient(
            FromSettings(settings, typed),
            http,
            sp.GetService<TimeProvider>(),
            sp.GetService<IModelRegistry>()));
        return kit;
    }

    /// <summary>Maps a configured connection and its typed settings to options.</summary>
    private static GeminiClientOptions FromSettings(ProviderConnectionSettings settings, GeminiProviderSettings typed)
    {
        var options = new GeminiClientOptions
        {
            ApiKey = settings.ApiKey,
            BaseUrl = settings.BaseUrl,
            DefaultModel = settings.DefaultModel,
            ApiVersion = typed.ApiVersion,
            DefaultEmbeddingModel = typed.DefaultEmbeddingModel,
        };
        foreach (var (header, value) in settings.Headers)
        {
            options.Headers[header] = value;
        }

        return options;
    }
}
