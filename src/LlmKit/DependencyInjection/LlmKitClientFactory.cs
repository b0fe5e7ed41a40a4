using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>Builds LlmKit's pipeline around a router, once per logical model.</summary>
internal sealed class LlmKitClientFactory(IServiceProvider services, IOptions<LlmKitOptions> options, ProviderClients providers, RoutingState routing, LlmKitPipelineHolder pipeline)
{
    /// <summary>Builds the pipeline whose calls default to <paramref name="boundModel"/> (or to the configured default model).</summary>
    public IChatClient Create(string? boundModel)
    {
        var value = options.Value;
        var router = new ModelRouterChatClient(value, providers, routing, boundModel);
        if (boundModel is not null)
        {
            // Fail at resolution, not at the first call, when the key names nothing that can be served.
            router.EnsureRoutable(boundModel);
        }

        return pipeline.Builder.Build(router, services);
    }
}
