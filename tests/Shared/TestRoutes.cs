global using static LlmKit.Tests.Shared.TestRoutes;
using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Shared;

/// <summary>Reads the <see cref="ModelRoute"/> the router recorded, failing the test when there is none.</summary>
internal static class TestRoutes
{
    public static ModelRoute Route(ChatResponse response)
        => LlmKitResponseProperties.TryGetRoute(response.AdditionalProperties, out var route) ? route : throw new InvalidOperationException("The response carries no route.");

    public static ModelRoute Route(ChatResponseUpdate update)
        => LlmKitResponseProperties.TryGetRoute(update.AdditionalProperties, out var route) ? route : throw new InvalidOperationException("The update carries no route.");
}
