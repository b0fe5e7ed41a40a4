using Microsoft.Extensions.DependencyInjection;

namespace LlmKit;

/// <summary>
/// Configures LlmKit inside <c>services.AddLlmKit(kit =&gt; ...)</c>. Provider and store packages
/// extend it (<c>kit.AddOpenAI(...)</c>, <c>kit.UseSqlite(...)</c>) the way ASP.NET packages extend
/// <c>IHealthChecksBuilder</c>.
/// </summary>
public interface ILlmKitBuilder
{
    /// <summary>Gets the service collection LlmKit registers into.</summary>
    IServiceCollection Services { get; }

    /// <summary>
    /// Gets the pipeline's stages, outermost first, to add, remove, replace or reorder them. The default
    /// order is telemetry, input guard, output guard, budget, metering, then the router (see <see cref="PipelineStageNames"/>).
    /// </summary>
    ChatPipelineBuilder Pipeline { get; }

    /// <summary>
    /// Registers a provider connection: a named factory of the <see cref="Microsoft.Extensions.AI.IChatClient"/>
    /// that talks to one provider. Deployments name the connection in their <see cref="ModelDeployment.Provider"/>.
    /// </summary>
    /// <param name="name">The connection name, unique in the app (for example <c>openai</c>).</param>
    /// <param name="factory">
    /// Creates the client; called once: when the host starts (every connection is created then, so that a missing key or a
    /// bad address stops start-up with a <see cref="LlmKitConfigurationException"/>), or on first use where no host starts.
    /// A factory that fails with another exception is tried again on first use.
    /// </param>
    /// <returns>This builder, for chaining.</returns>
    /// <exception cref="LlmKitConfigurationException">A connection with the same name is already registered.</exception>
    ILlmKitBuilder AddProvider(string name, Func<IServiceProvider, Microsoft.Extensions.AI.IChatClient> factory);

    /// <summary>
    /// Registers a provider type that connections in the <c>LlmKit:Providers</c> configuration section
    /// can name in their <c>Type</c> key (for example <c>OpenAI</c>).
    /// </summary>
    /// <param name="typeName">The type name, matched case-insensitively.</param>
    /// <param name="factory">Creates a client from the connection's name and configuration settings.</param>
    /// <returns>This builder, for chaining.</returns>
    ILlmKitBuilder AddProviderType(string typeName, Func<IServiceProvider, ProviderConnectionSettings, Microsoft.Extensions.AI.IChatClient> factory);

    /// <summary>
    /// Registers a provider connection whose client sends HTTP through the named <see cref="HttpClient"/>
    /// <paramref name="httpClientName"/> of <c>IHttpClientFactory</c>. LlmKit gives that named client its resilience handler
    /// (Microsoft.Extensions.Http.Resilience: concurrency limiter, total timeout, retry honouring <c>Retry-After</c> and
    /// <c>retry-after-ms</c>, circuit breaker, attempt timeout), with one pipeline per deployment configured from
    /// <c>LlmKit:Resilience</c> or the deployment's own <c>Resilience</c> settings; the host changes the client through the
    /// usual <c>services.AddHttpClient(httpClientName)</c> builder APIs.
    /// </summary>
    /// <param name="name">The connection name, unique in the app (for example <c>openai</c>).</param>
    /// <param name="httpClientName">The named client the connection sends with (for example <c>LlmKit.OpenAI</c>).</param>
    /// <param name="factory">Creates the client from the named <see cref="HttpClient"/>; called once, lazily, on first use.</param>
    /// <returns>This builder, for chaining.</returns>
    /// <exception cref="LlmKitConfigurationException">A connection with the same name is already registered.</exception>
    ILlmKitBuilder AddHttpProvider(string name, string httpClientName, Func<IServiceProvider, HttpClient, Microsoft.Extensions.AI.IChatClient> factory);

    /// <summary>
    /// Registers a provider type, like <see cref="AddProviderType"/>, whose connections send HTTP through the named
    /// <see cref="HttpClient"/> <paramref name="httpClientName"/> with LlmKit's resilience handler (see
    /// <see cref="AddHttpProvider"/>).
    /// </summary>
    /// <param name="typeName">The type name, matched case-insensitively.</param>
    /// <param name="httpClientName">The named client the connections send with.</param>
    /// <param name="factory">Creates a client from the connection's settings and the named <see cref="HttpClient"/>.</param>
    /// <returns>This builder, for chaining.</returns>
    ILlmKitBuilder AddHttpProviderType(string typeName, string httpClientName, Func<IServiceProvider, ProviderConnectionSettings, HttpClient, Microsoft.Extensions.AI.IChatClient> factory);

    /// <summary>
    /// Registers a provider type, like <see cref="AddHttpProviderType"/>, whose connections' provider-specific settings
    /// (<c>LlmKit:Providers:{name}:Settings</c>) are bound to the typed <typeparamref name="TSettings"/> instead of read
    /// from <see cref="ProviderConnectionSettings.Settings"/>. They are named options (the name is the connection's):
    /// LlmKit binds them from the connection's <c>Settings</c> section, refusing an unknown key or a value that does not
    /// convert with its full configuration path; the host's own <c>services.Configure&lt;TSettings&gt;(name, ...)</c>
    /// and the <c>IValidateOptions&lt;TSettings&gt;</c> the provider package registers run after that. Every connection
    /// is created at host start-up (the connections check runs on start, <c>ValidateOnStart</c>), so a bad value stops
    /// the host there, in a <see cref="LlmKitConfigurationException"/> whose <see cref="LlmKitConfigurationException.Keys"/>
    /// name the key.
    /// </summary>
    /// <typeparam name="TSettings">The provider's typed settings; its defaults are those of a connection that sets none.</typeparam>
    /// <param name="typeName">The type name, matched case-insensitively.</param>
    /// <param name="httpClientName">The named client the connections send with.</param>
    /// <param name="factory">Creates a client from the connection's settings, its bound and validated <typeparamref name="TSettings"/> and the named <see cref="HttpClient"/>.</param>
    /// <returns>This builder, for chaining.</returns>
    ILlmKitBuilder AddHttpProviderType<TSettings>(string typeName, string httpClientName, Func<IServiceProvider, ProviderConnectionSettings, TSettings, HttpClient, Microsoft.Extensions.AI.IChatClient> factory)
        where TSettings : class, new();
}
