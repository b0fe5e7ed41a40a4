using System.Globalization;
using LlmKit;

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
    /// options of the same name, and reads <c>Settings:AnthropicVersion</c>, <c>Settings:DefaultMaxOutputTokens</c>
    /// and <c>Settings:ThinkingStyle</c> (<c>Auto</c>, <c>Adaptive</c> or <c>Budgeted</c>).
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
        kit.AddHttpProviderType(ProviderTypeName, HttpClientName, static (sp, settings, http) => Create(sp, ToOptions(settings), http));
        return kit;
    }

    /// <summary>Maps a configured connection to client options.</summary>
    internal static AnthropicClientOptions ToOptions(ProviderConnectionSettings settings)
    {
        var options = new AnthropicClientOptions
        {
            ApiKey = settings.ApiKey,
            BaseUrl = settings.BaseUrl,
            DefaultModel = settings.DefaultModel,
        };

        foreach (var (header, value) in settings.Headers)
        {
            options.Headers[header] = value;
        }

        string prefix = $"LlmKit:Providers:{settings.Name}:Settings:";
        foreach (var (key, value) in settings.Settings)
        {
            if (string.Equals(key, "AnthropicVersion", StringComparison.OrdinalIgnoreCase))
            {
                options.AnthropicVersion = value;
            }
            else if (string.Equals(key, "DefaultMaxOutputTokens", StringComparison.OrdinalIgnoreCase))
            {
                if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int max) || max <= 0)
                {
                    throw new LlmKitConfigurationException($"'{prefix}{key}' is '{value}'; it must be a positive whole number of tokens.", [prefix + key]);
                }

                options.DefaultMaxOutputTokens = max;
            }
            else if (string.Equals(key, "ThinkingStyle", StringComparison.OrdinalIgnoreCase))
            {
                if (!Enum.TryParse(value, ignoreCase: true, out AnthropicThinkingStyle style) || !Enum.IsDefined(style))
                {
                    throw new LlmKitConfigurationException($"'{prefix}{key}' is '{value}'; use Auto, Adaptive or Budgeted.", [prefix + key]);
                }

                options.ThinkingStyle = style;
            }
            else
            {
                throw new LlmKitConfigurationException($"'{prefix}{key}': unknown setting of the Anthropic provider type; known settings: AnthropicVersion, DefaultMaxOutputTokens, ThinkingStyle.", [prefix + key]);
            }
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
