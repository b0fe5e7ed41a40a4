using LlmKit.AspNetCore.OpenAI;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps LlmKit's OpenAI-compatible REST endpoints.</summary>
public static class LlmKitOpenAIEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps OpenAI's Chat Completions, Embeddings and Models endpoints over the LlmKit pipeline registered with
    /// <c>AddLlmKit</c>: <c>POST {prefix}/chat/completions</c> (JSON or server-sent events), <c>POST {prefix}/embeddings</c>,
    /// <c>GET {prefix}/models</c> and <c>GET {prefix}/models/{model}</c>. Any OpenAI SDK pointed at
    /// <c>https://host{prefix}</c> works unchanged. Callers authenticate with an LlmKit API key
    /// (<c>Authorization: Bearer llmk_...</c>) or the host's own authentication (see <c>LlmKitApiOptions</c>); nothing
    /// is anonymous unless <c>LlmKitApiOptions.AllowAnonymous</c> is set.
    /// </summary>
    /// <param name="endpoints">The app or route group.</param>
    /// <param name="prefix">The path prefix; <c>/v1</c> by default, as OpenAI's base URL.</param>
    /// <returns>The route group, to add conventions (authorization policies, CORS, OpenAPI metadata) to.</returns>
    public static RouteGroupBuilder MapLlmKitOpenAI(this IEndpointRouteBuilder endpoints, string prefix = "/v1")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var handlers = new OpenAIEndpointHandlers(endpoints.ServiceProvider);
        // Lambdas with more than the HttpContext, so they are route handlers (described in OpenAPI), not plain request delegates.
        var group = endpoints.MapGroup(prefix).WithTags("OpenAI-compatible");
        group.MapPost("/chat/completions", (HttpContext context, CancellationToken _) => handlers.ChatCompletionsAsync(context))
            .WithName("LlmKitChatCompletions")
            .WithSummary("Creates a chat completion (OpenAI format; server-sent events when stream is true).");
        group.MapPost("/embeddings", (HttpContext context, CancellationToken _) => handlers.EmbeddingsAsync(context))
            .WithName("LlmKitEmbeddings")
            .WithSummary("Creates embeddings (OpenAI format).");
        group.MapGet("/models", (HttpContext context, CancellationToken _) => handlers.ListModelsAsync(context))
            .WithName("LlmKitListModels")
            .WithSummary("Lists the logical models the caller may use (OpenAI format).");
        group.MapGet("/models/{model}", (HttpContext context, string model) => handlers.GetModelAsync(context, model))
            .WithName("LlmKitGetModel")
            .WithSummary("Describes one logical model (OpenAI format).");
        return group;
    }
}
