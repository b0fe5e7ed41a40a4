using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>Builds LlmKit's pipeline around a router, once per logical model.</summary>
internal sealed class LlmKitClientFactory(IServiceProvider services, IOptions<LlmKitOptions> options, ProviderClients providers, RoutingState routing, LlmKitPipelineHolder pipeline, TokenCounterRegistry tokenizers)
{
    /// <summary>Builds the pipeline whose calls default to <paramref name="boundModel"/> (or to the configured default model).</summary>
    public IChatClient Create(string? boundModel)
    {
        var value = options.Value;
        var router = new ModelRouterChatClient(value, providers, routing, boundModel, tokenizers);
        if (boundModel is not null)
        {
            // Fail at resolution, not at the first call, when the key names nothing that can be served.
            router.EnsureRoutable(boundModel);
        }

        var client = pipeline.Builder.Build(router, services);
        if (!router.AnnotatesRoutes && ReadsRoutes(client))
        {
            router.AnnotateRoutes();
        }

        return client;
    }

    /// <summary>
    /// Whether a stage of the built pipeline reads the route the router sets on responses: telemetry (deployment and provider
    /// tags), budgets (settled at the price of the deployment that answered) and metering (the ledger's deployment and
    /// provider, per-deployment cost). Stages are found through the <c>GetService</c> chain, so a stage that a factory left
    /// out (the budget stage without budgets) does not count.
    /// </summary>
    private static bool ReadsRoutes(IChatClient client)
        => client.GetService(typeof(TelemetryChatClient)) is not null
        || client.GetService(typeof(BudgetChatClient)) is not null
        || client.GetService(typeof(MeteringChatClient)) is not null;
}
