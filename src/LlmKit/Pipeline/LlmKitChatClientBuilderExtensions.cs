using LlmKit;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.AI;

/// <summary>
/// Puts LlmKit's pipeline stages (telemetry, guards, budget admission, metering and any stage the host added) into a
/// Microsoft.Extensions.AI pipeline that the app builds itself with <see cref="ChatClientBuilder"/>.
/// </summary>
/// <example>
/// <code>
/// services.AddLlmKit();   // registers the stages' services (options, ledger, budgets, guards)
/// services.AddChatClient(sp =&gt; new OllamaApiClient(...))
///     .UseFunctionInvocation()
///     .UseLlmKit();       // LlmKit's stages inside the tool loop, around the app's client
/// </code>
/// </example>
public static class LlmKitChatClientBuilderExtensions
{
    /// <summary>
    /// Adds the stages of the pipeline that <c>AddLlmKit()</c> configured (with the host's changes to
    /// <see cref="ILlmKitBuilder.Pipeline"/>), in their order, around the clients added after this call. LlmKit's router is
    /// not part of it: the inner client is the app's.
    /// </summary>
    /// <param name="builder">The Microsoft.Extensions.AI builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="LlmKitConfigurationException">When the pipeline is built: <c>AddLlmKit()</c> was not called on the services it is built with.</exception>
    public static ChatClientBuilder UseLlmKit(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var holder = services.GetService<LlmKitPipelineHolder>()
                ?? throw new LlmKitConfigurationException("UseLlmKit() needs LlmKit's services: call services.AddLlmKit() and build the chat client with the app's service provider.");
            return holder.Builder.Build(inner, services);
        });
    }

    /// <summary>Adds the stages of <paramref name="pipeline"/>, in their order, around the clients added after this call.</summary>
    /// <param name="builder">The Microsoft.Extensions.AI builder.</param>
    /// <param name="pipeline">The stages; their factories resolve what they need from the services the pipeline is built with (LlmKit's own stages need <c>AddLlmKit()</c>).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseLlmKit(this ChatClientBuilder builder, ChatPipelineBuilder pipeline)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(pipeline);
        return builder.Use((inner, services) => pipeline.Build(inner, services));
    }
}
