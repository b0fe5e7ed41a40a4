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
    /// order is ARCHITECTURE section 3's: telemetry, guards, cache, budget, metering, then the router.
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
}
