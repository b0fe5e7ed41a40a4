using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Keys LlmKit sets in <c>ChatResponse.AdditionalProperties</c> (and in <c>ChatResponseUpdate.AdditionalProperties</c>).
/// </summary>
public static class LlmKitResponseProperties
{
    /// <summary>
    /// The <see cref="ModelRoute"/> of the call: the deployment that served it and the logical model asked for.
    /// Set on the response, and on the first update of a stream, whenever the pipeline has a stage that reads it
    /// (telemetry, budgets or metering, all in the default pipeline) or <c>LlmKitOptions.AnnotateRoutes</c> is
    /// <see langword="true"/>; a pipeline without those stages leaves it out unless asked, since on a response without
    /// additional properties it costs a properties dictionary per call.
    /// </summary>
    public const string Route = "llmkit.route";

    /// <summary>
    /// The provider's own finish reason (a <see cref="string"/>, such as Anthropic's <c>end_turn</c>), kept
    /// beside the normalised <c>ChatResponse.FinishReason</c> when the two differ.
    /// </summary>
    public const string RawFinishReason = "llmkit.raw_finish_reason";

    /// <summary>
    /// <see langword="true"/> (a <see cref="bool"/>) on a response, and on every update of a stream, that the response cache
    /// answered; absent otherwise.
    /// </summary>
    public const string Cached = "llmkit.cached";

    /// <summary>
    /// On a response the cache answered: what the original call cost in USD (a <see cref="decimal"/>); absent when that
    /// cost is unknown.
    /// </summary>
    public const string SavedCostUsd = "llmkit.saved_cost_usd";

    /// <summary>Reads the route the router recorded.</summary>
    /// <param name="properties">A response's or update's additional properties, or <see langword="null"/>.</param>
    /// <param name="route">The route, when present.</param>
    /// <returns><see langword="true"/> when a route is present.</returns>
    public static bool TryGetRoute(AdditionalPropertiesDictionary? properties, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelRoute? route)
    {
        if (properties is not null && properties.TryGetValue(Route, out object? value) && value is ModelRoute found)
        {
            route = found;
            return true;
        }

        route = null;
        return false;
    }
}
