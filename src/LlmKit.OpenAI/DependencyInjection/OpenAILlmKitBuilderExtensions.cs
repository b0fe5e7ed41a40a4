using LlmKit;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OpenAI and OpenAI-compatible provider connections with LlmKit.</summary>
public static class OpenAILlmKitBuilderExtensions
{
    /// <summary>
    /// The name of the <see cref="System.Net.Http.IHttpClientFactory"/> client the OpenAI, OpenAI-compatible and Ollama
    /// connections send with: <c>LlmKit.OpenAI</c>. It carries LlmKit's resilience handler; change it with
    /// <c>services.AddHttpClient(HttpClientName)</c>.
    /// </summary>
    public const string HttpClientName = "LlmKit.OpenAI";

    /// <summary>Registers an OpenAI connection (and the OpenAI-compatible provider types for configuration).</summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="name">The connection name. Defaults to <c>openai</c>.</param>
    /// <param name="configure">Sets the key, address, default model and headers; the key defaults to <c>OPENAI_API_KEY</c>.</param>
    /// <returns>The builder.</returns>
    public static ILlmKitBuilder AddOpenAI(this ILlmKitBuilder builder, string name = "openai", Action<OpenAIConnectionOptions>? configure = null)
        => builder.AddOpenAICompatible(OpenAICompatibilityProfile.OpenAI, name, configure);

    /// <summary>Registers a connection to an OpenAI-compatible server with the given profile (Azure OpenAI, Ollama, vLLM, ...).</summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="profile">The compatibility profile, such as <see cref="OpenAICompatibilityProfile.Groq"/>.</param>
    /// <param name="name">The connection name; defaults to the profile name in lower case.</param>
    /// <param name="configure">Sets the key, address, default model and headers.</param>
    /// <returns>The builder.</returns>
    public static ILlmKitBuilder AddOpenAICompatible(this ILlmKitBuilder builder, OpenAICompatibilityProfile profile, string? name = null, Action<OpenAIConnectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(profile);
        builder.AddOpenAIProviderTypes();
        var options = new OpenAIConnectionOptions { Profile = profile };
        configure?.Invoke(options);
        builder.AddHttpProvider(name ?? profile.Name.ToLowerInvariant(), HttpClientName, (sp, http) => new OpenAIChatClient(options, http, sp.GetService<TimeProvider>()));
        return builder;
    }

    /// <summary>
    /// Registers only the provider types, so connections in configuration can name them in <c>Type</c>:
    /// <c>OpenAI</c>, <c>AzureOpenAI</c>, <c>Ollama</c> (the native API, as <c>AddOllama()</c>), <c>OllamaOpenAI</c> (its
    /// OpenAI-compatible <c>/v1</c> endpoint), <c>vLLM</c>, <c>LlamaCpp</c>, <c>LMStudio</c>, <c>Groq</c>,
    /// <c>Together</c>, <c>OpenRouter</c>, <c>Mistral</c>, <c>DeepSeek</c> and <c>OpenAICompatible</c>. Calling it
    /// again has no further effect. A connection's <c>Settings</c> section binds to <see cref="OpenAIProviderSettings"/>
    /// (<c>Settings:Organization</c>, <c>Settings:Project</c>, <c>Settings:ApiVersion</c> (Azure),
    /// <c>Settings:IncludeStreamUsage</c>), validated at host start-up.
    /// </summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <returns>The builder.</returns>
    public static ILlmKitBuilder AddOpenAIProviderTypes(this ILlmKitBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(OpenAIProviderTypesMarker)))
        {
            return builder;
        }

        builder.Services.AddSingleton<OpenAIProviderTypesMarker>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenAIProviderSettings>, OpenAIProviderSettingsValidator>());
        foreach (var profile in OpenAICompatibilityProfile.BuiltIn)
        {
            var p = profile;
            builder.AddHttpProviderType<OpenAIProviderSettings>(p.Name, HttpClientName, (sp, settings, typed, http) => new OpenAIChatClient(FromSettings(p, settings, typed), http, sp.GetService<TimeProvider>()));
        }

        // Type "Ollama" is the native API, as AddOllama() is; a configuration naming it needs no more than AddOpenAI().
        return builder.AddOllamaProviderType();
    }

    /// <summary>
    /// Registers the OpenAI moderation endpoint (<see cref="OpenAIModerationClient"/>) as a content classifier for
    /// LlmKit's safety guards: its findings are the moderation categories (for example <c>HARASSMENT</c>,
    /// <c>SELF_HARM_INTENT</c>), acted on by the rules of <c>LlmKit:Safety</c> like any other finding type.
    /// </summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="configure">Sets the key (defaults to <c>OPENAI_API_KEY</c>), address and model (defaults to <c>omni-moderation-latest</c>).</param>
    /// <returns>The builder.</returns>
    public static ILlmKitBuilder AddOpenAIModeration(this ILlmKitBuilder builder, Action<OpenAIConnectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddOpenAIProviderTypes();
        var options = new OpenAIConnectionOptions { Profile = OpenAICompatibilityProfile.OpenAI };
        configure?.Invoke(options);
        builder.Services.AddSingleton<IContentClassifier>(sp => new OpenAIModerationClient(options, sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName), sp.GetService<TimeProvider>()));
        return builder;
    }

    private static OpenAIConnectionOptions FromSettings(OpenAICompatibilityProfile profile, ProviderConnectionSettings settings, OpenAIProviderSettings typed) => new()
    {
        Profile = settings.Keyless ? profile with { RequiresApiKey = false, ApiKeyEnvironmentVariable = null } : profile,
        ApiKey = settings.Keyless ? null : settings.ApiKey,
        BaseUrl = settings.BaseUrl,
        DefaultModel = settings.DefaultModel,
        Headers = new Dictionary<string, string>(settings.Headers, StringComparer.OrdinalIgnoreCase),
        Organization = typed.Organization,
        Project = typed.Project,
        AzureApiVersion = typed.ApiVersion,
        IncludeStreamUsage = typed.IncludeStreamUsage,
    };

    private sealed class OpenAIProviderTypesMarker;
}
