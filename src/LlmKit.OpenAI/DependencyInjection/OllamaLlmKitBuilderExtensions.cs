using LlmKit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ollama's native chat API with LlmKit.</summary>
public static class OllamaLlmKitBuilderExtensions
{
    /// <summary>
    /// Registers a connection to Ollama's native API (<c>/api/chat</c>) and the provider type
    /// <c>Ollama</c> for configuration (settings: <c>Settings:KeepAlive</c>). Ollama's OpenAI-compatible <c>/v1</c>
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
        builder.AddHttpProviderType("Ollama", OpenAILlmKitBuilderExtensions.HttpClientName, (sp, settings, http) =>
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

            foreach (string key in settings.Settings.Keys)
            {
                if (!string.Equals(key, "KeepAlive", StringComparison.Ordinal))
                {
                    throw new LlmKitConfigurationException(
                        $"'LlmKit:Providers:{settings.Name}:Settings:{key}': unknown setting of the Ollama provider type; known settings: KeepAlive.",
                        [$"LlmKit:Providers:{settings.Name}:Settings:{key}"]);
                }
            }

            if (settings.Settings.TryGetValue("KeepAlive", out string? keepAlive))
            {
                options.KeepAlive = keepAlive;
            }

            return new OllamaChatClient(options, http, sp.GetService<TimeProvider>());
        });
        return builder;
    }

    private sealed class OllamaTypeMarker;
}
