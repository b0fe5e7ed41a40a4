using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Places Microsoft.Extensions.AI middleware (<c>UseLogging</c>, <c>UseOpenTelemetry</c>, <c>UseDistributedCache</c>,
/// <c>UseFunctionInvocation</c>, any third-party <see cref="DelegatingChatClient"/>) as a named stage of LlmKit's pipeline:
/// the stage is a <see cref="ChatClientBuilder"/> over the stages inside it, built with the app's services.
/// </summary>
/// <example>
/// <code>
/// services.AddLlmKit(kit => kit.Pipeline
///     .InsertAfter(PipelineStageNames.Telemetry, "meai-logging", b => b.UseLogging())
///     .AddFirst("tool-loop", b => b.UseFunctionInvocation()));
/// </code>
/// </example>
public static class LlmKitChatPipelineBuilderExtensions
{
    /// <summary>Adds a stage of Microsoft.Extensions.AI middleware innermost (closest to the router).</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="name">The stage name, unique in the pipeline.</param>
    /// <param name="configure">Adds the middleware to a builder over the inner client, for example <c>b =&gt; b.UseLogging()</c>.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="LlmKitConfigurationException">A stage with that name exists.</exception>
    public static ChatPipelineBuilder Add(this ChatPipelineBuilder pipeline, string name, Func<ChatClientBuilder, ChatClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return pipeline.Add(name, Stage(configure));
    }

    /// <summary>Adds a stage of Microsoft.Extensions.AI middleware outermost (the first to see a call).</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="name">The stage name, unique in the pipeline.</param>
    /// <param name="configure">Adds the middleware to a builder over the inner client.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="LlmKitConfigurationException">A stage with that name exists.</exception>
    public static ChatPipelineBuilder AddFirst(this ChatPipelineBuilder pipeline, string name, Func<ChatClientBuilder, ChatClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return pipeline.AddFirst(name, Stage(configure));
    }

    /// <summary>Adds a stage of Microsoft.Extensions.AI middleware just outside (before) an existing stage.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="existing">The name of the existing stage.</param>
    /// <param name="name">The new stage's name.</param>
    /// <param name="configure">Adds the middleware to a builder over the inner client.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="LlmKitConfigurationException"><paramref name="existing"/> is not in the pipeline, or <paramref name="name"/> already is.</exception>
    public static ChatPipelineBuilder InsertBefore(this ChatPipelineBuilder pipeline, string existing, string name, Func<ChatClientBuilder, ChatClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return pipeline.InsertBefore(existing, name, Stage(configure));
    }

    /// <summary>Adds a stage of Microsoft.Extensions.AI middleware just inside (after) an existing stage.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="existing">The name of the existing stage.</param>
    /// <param name="name">The new stage's name.</param>
    /// <param name="configure">Adds the middleware to a builder over the inner client.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="LlmKitConfigurationException"><paramref name="existing"/> is not in the pipeline, or <paramref name="name"/> already is.</exception>
    public static ChatPipelineBuilder InsertAfter(this ChatPipelineBuilder pipeline, string existing, string name, Func<ChatClientBuilder, ChatClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return pipeline.InsertAfter(existing, name, Stage(configure));
    }

    /// <summary>Replaces an existing stage (LlmKit's own or another) with Microsoft.Extensions.AI middleware, keeping its position.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="name">The stage name.</param>
    /// <param name="configure">Adds the middleware to a builder over the inner client.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="LlmKitConfigurationException">No stage has that name.</exception>
    public static ChatPipelineBuilder Replace(this ChatPipelineBuilder pipeline, string name, Func<ChatClientBuilder, ChatClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return pipeline.Replace(name, Stage(configure));
    }

    private static Func<IServiceProvider, IChatClient, IChatClient> Stage(Func<ChatClientBuilder, ChatClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return (services, inner) => (configure(new ChatClientBuilder(inner))
            ?? throw new LlmKitConfigurationException("A pipeline stage's ChatClientBuilder callback returned null; return the builder it was given.")).Build(services);
    }
}
