using LlmKit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Anthropic provider with LlmKit: <c>services.AddLlmKit(kit =&gt; kit.AddAnthropic())</c>.</summary>
public static class AnthropicLlmKitBuilderExtensions
{
    /// <summary>The name of the <see cref="System.Net.Http.IHttpClientFactory"/> client the provider uses: <c>LlmKit.Anthropic</c>.</summary>
    public const string HttpClientName = "LlmKit.Anthropic";

    /// <summary>The provider type that configured connections name in <c>LlmKit:Providers:{name}:Type</c>: <c>Anthropic</c>.</summary>
    public const string ProviderTypeName = "Anthropic";

    /// <summary>
    /// Registers an Anthropic provider connection named <paramref name="name"/> (and the <c>Anthropic</c> provider
    /// type, see <see cref="AddAnthropicProviderType"/>). The client is created on first use, with the named
    /// HTTP client <c>LlmKit.Anthropic</c> (timeout 10 minutes, as in Anthropic's SDKs) and the
    /// app's <see cref="TimeProvider"/> and <see cref="IModelRegistry"/>.
    /// </summary>
    /// <param name="kit">The LlmKit builder.</param>
    /// <param name="name">The connection name that deployments refer to. Defaults to <c>anthropic</c>.</param>
    /// <param name="configure">Sets the options (key, address, default model...); <see langword="null"/> keeps the defaults (the key then comes from <c>ANTHROPIC_API_KEY</c>).</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="kit"/> is <see langword="null"/>.</exception>
    /// <exception cref="LlmKitConfigurationException">A connection with the same name is already registered.</exception>
    public static ILlmKitBuilder AddAnthropic(this ILlmKitBuilder kit, string name = "anthropic", Action<AnthropicClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        kit.AddAnthropicProviderType();
        var options = new AnthropicClientOptions();
        configure?.Invoke(options);
        kit.AddHttpProvider(name, HttpClientName, (sp, http) => Create(sp, options, http));
        return kit;
    }

    /// <summary>
    /// Registers only the <c>Anthropic</c> provider type, so that connections configured under
    /// <c>LlmKit:Providers:{name}</c> with <c>Type = Anthropic</c> can be created. Calling it again does nothing.
    /// </summary>
    /// <remarks>
    /// A configured connection maps <c>ApiKey</c>, <c>BaseUrl</c>, <c>DefaultModel</c> and <c>Headers</c> to the
    /// options of the same name, and binds its <c>Settings</c> section to <see cref="AnthropicProviderSettings"/>
    /// (<c>Settings:AnthropicVersion</c>, <c>Settings:DefaultMaxOutputTokens</c>, <c>Settings:ThinkingStyle</c>), validated
    /// at host start-up.
    /// </remarks>
    /// <param name="kit">The LlmKit builder.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="kit"/> is <see langword="null"/>.</exception>
    public static ILlmKitBuilder AddAnthropicProviderType(this ILlmKitBuilder kit)
    {
        ArgumentNullException.ThrowIfNull(kit);
        foreach (var descriptor in kit.Services)
        {
            if (descriptor.ServiceType == typeof(AnthropicProviderTypeMarker))
            {
                return kit;
            }
        }

        kit.Services.AddSingleton(new AnthropicProviderTypeMarker());
        kit.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AnthropicProviderSettings>, AnthropicProviderSettingsValidator>());
        kit.AddHttpProviderType<AnthropicProviderSettings>(ProviderTypeName, HttpClientName, static (sp, settings, typed, http) => Create(sp, ToOptions(settings, typed), http));
        return kit;
    }

    /// <summary>Maps a configured connection and its typed settings to client options.</summary>
    private static AnthropicClientOptions ToOptions(ProviderConnectionSettings settings, AnthropicProviderSettings typed)
    {
        var options = new AnthropicClientOptions
        {
            ApiKey = settings.ApiKey,
            BaseUrl = settings.BaseUrl,
            DefaultModel = settings.DefaultModel,
            AnthropicVersion = typed.AnthropicVersion,
            DefaultMaxOutputTokens = typed.DefaultMaxOutputTokens,
            ThinkingStyle = typed.ThinkingStyle,
        };

        foreach (var (header, value) in settings.Headers)
        {
            options.Headers[header] = value;
        }

        return options;
    }

    private static AnthropicChatClient Create(IServiceProvider services, AnthropicClientOptions options, HttpClient http)
        => new(
            options,
            http,
            services.GetService<TimeProvider>(),
            services.GetService<IModelRegistry>());

    /// <summary>Marks that the Anthropic provider type is registered, so that it is registered once.</summary>
    private sealed class AnthropicProviderTypeMarker;
}
