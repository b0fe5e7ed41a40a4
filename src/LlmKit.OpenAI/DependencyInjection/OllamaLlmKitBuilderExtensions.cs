using LlmKit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ollama's native chat API with LlmKit.</summary>
public static class OllamaLlmKitBuilderExtensions
{
    /// <summary>
    /// Registers a connection to Ollama's native API (<c>/api/chat</c>) and the provider type
    /// <c>Ollama</c> for configuration (its <c>Settings</c> section binds to <see cref="OllamaProviderSettings"/>:
    /// <c>Settings:KeepAlive</c>, validated at host start-up). Ollama's OpenAI-compatible <c>/v1</c>
    /// endpoint is <c>AddOpenAICompatible(OpenAICompatibilityProfile.OllamaOpenAI)</c>, type <c>OllamaOpenAI</c>.
    /// </summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="name">The connection name. Defaults to <c>ollama</c>.</param>
    /// <param name="configure">Sets the address (default <c>http://127.0.0.1:11434/</c>), default model and headers.</param>
    /// <returns>The builder.</returns>
    public static ILlmKitBuilder AddOllama(this ILlmKitBuilder builder, string name = "ollama", Action<OllamaClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddOllamaProviderType();
        var options = new OllamaClientOptions();
        configure?.Invoke(options);
        builder.AddHttpProvider(name, OpenAILlmKitBuilderExtensions.HttpClientName, (sp, http) => new OllamaChatClient(options, http, sp.GetService<TimeProvider>()));
        return builder;
    }

    /// <summary>Registers only the provider type <c>Ollama</c> (the native API); calling it again has no further effect.</summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <returns>The builder.</returns>
    public static ILlmKitBuilder AddOllamaProviderType(this ILlmKitBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddOpenAIProviderTypes();
        if (builder.Services.Any(d => d.ServiceType == typeof(OllamaTypeMarker)))
        {
            return builder;
        }

        builder.Services.AddSingleton<OllamaTypeMarker>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OllamaProviderSettings>, OllamaProviderSettingsValidator>());
        builder.AddHttpProviderType<OllamaProviderSettings>("Ollama", OpenAILlmKitBuilderExtensions.HttpClientName, (sp, settings, typed, http) =>
        {
            var options = new OllamaClientOptions
            {
                ApiKey = settings.ApiKey,
                DefaultModel = settings.DefaultModel,
                Headers = new Dictionary<string, string>(settings.Headers, StringComparer.OrdinalIgnoreCase),
            };
            if (settings.BaseUrl is { } baseUrl)
            {
                options.BaseUrl = baseUrl;
            }

            options.KeepAlive = typed.KeepAlive;
            return new OllamaChatClient(options, http, sp.GetService<TimeProvider>());
        });
        return builder;
    }

    private sealed class OllamaTypeMarker;
}
