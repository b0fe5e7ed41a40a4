using LlmKit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Code-first configuration of LlmKit on <see cref="ILlmKitBuilder"/>.</summary>
public static class LlmKitBuilderExtensions
{
    /// <summary>
    /// Defines a logical model (an alias such as <c>smart</c>) served by the given deployments. Configuration may
    /// add routing settings to it (<c>LlmKit:Models:{name}:Strategy</c>, <c>Fallbacks</c>...), which are kept; a
    /// configured model of the same name that has deployments of its own is refused at start-up with a
    /// <see cref="LlmKitConfigurationException"/> naming both, never silently replaced. A second <c>AddModel</c>
    /// call with the same name replaces the first one's deployments.
    /// </summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="name">The logical model name.</param>
    /// <param name="deployments">The deployments, at least one.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="deployments"/> is empty.</exception>
    public static ILlmKitBuilder AddModel(this ILlmKitBuilder builder, string name, params DeploymentOptions[] deployments)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(deployments);
        if (deployments.Length == 0)
        {
            throw new ArgumentException($"Logical model '{name}' needs at least one deployment.", nameof(deployments));
        }

        builder.Services.Configure<LlmKitOptions>(o => MergeModel(o, name, deployments));
        return builder;
    }

    /// <summary>Defines a logical model served by one deployment: <paramref name="model"/> at provider connection <paramref name="provider"/>.</summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="name">The logical model name.</param>
    /// <param name="provider">The provider connection name.</param>
    /// <param name="model">The model name sent to the provider.</param>
    /// <returns>The builder.</returns>
    public static ILlmKitBuilder AddModel(this ILlmKitBuilder builder, string name, string provider, string model)
        => builder.AddModel(name, new DeploymentOptions { Provider = provider, Model = model });

    /// <summary>Sets the model used when a call names none (overrides <c>LlmKit:DefaultModel</c>).</summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="model">A logical model or provider model id.</param>
    /// <returns>The builder.</returns>
    public static ILlmKitBuilder UseDefaultModel(this ILlmKitBuilder builder, string model)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        builder.Services.Configure<LlmKitOptions>(o => o.DefaultModel = model);
        return builder;
    }

    /// <summary>Changes LlmKit's options in code after configuration is bound.</summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The builder.</returns>
    public static ILlmKitBuilder Configure(this ILlmKitBuilder builder, Action<LlmKitOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    private static void MergeModel(LlmKitOptions options, string name, DeploymentOptions[] deployments)
    {
        if (options.Models.TryGetValue(name, out var existing) && existing is not null && !options.CodeModels.Contains(name))
        {
            if (existing.Deployments.Count > 0)
            {
                options.CodeConfigurationConflicts.Add((
                    $"LlmKit:Models:{name}",
                    $"logical model '{name}' is defined both in configuration (with {existing.Deployments.Count} deployment(s)) and in code (kit.AddModel(\"{name}\", ...)). "
                    + $"Define its deployments in one place: remove 'LlmKit:Models:{name}:Deployments' to serve it with the code's deployments and the configured routing settings, or remove the AddModel call."));
                return;
            }

            // Configuration gives the routing settings (strategy, fallbacks...), code the deployments.
            existing.Deployments = [.. deployments];
        }
        else
        {
            options.Models[name] = new LogicalModelOptions { Deployments = [.. deployments] };
        }

        options.CodeModels.Add(name);
    }
}
