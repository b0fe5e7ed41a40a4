using LlmKit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers prompt templates and partials on <see cref="ILlmKitBuilder"/>.</summary>
public static class LlmKitPromptTemplateBuilderExtensions
{
    /// <summary>
    /// Reads every template file (<c>.prompty</c>, <c>.yaml</c>, <c>.yml</c>, <c>.json</c>) in a folder and its
    /// subfolders now, so a bad file stops the host at start-up, and imports them into the template store on the
    /// template service's first use (a file whose content equals the stored latest version adds no version).
    /// </summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="directory">The folder, relative to the current directory or absolute.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="TemplateParseException">A file cannot be parsed; the message names the file, line and column.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static ILlmKitBuilder AddPromptTemplates(this ILlmKitBuilder builder, string directory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var templates = PromptTemplateFiles.LoadDirectory(directory);
        builder.Services.Configure<PromptTemplateOptions>(o =>
        {
            foreach (var template in templates)
            {
                o.Templates.Add(template);
            }
        });
        return builder;
    }

    /// <summary>Imports a template into the template store on the template service's first use.</summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="promptTemplate">The template.</param>
    /// <returns>The builder.</returns>
    public static ILlmKitBuilder AddPromptTemplate(this ILlmKitBuilder builder, PromptTemplate promptTemplate)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(promptTemplate);
        builder.Services.Configure<PromptTemplateOptions>(o => o.Templates.Add(promptTemplate));
        return builder;
    }

    /// <summary>Registers a partial that templates include with <c>{{&gt;name}}</c>; its text becomes part of the including message.</summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="name">The partial name.</param>
    /// <param name="text">The partial's template text.</param>
    /// <returns>The builder.</returns>
    public static ILlmKitBuilder AddPromptPartial(this ILlmKitBuilder builder, string name, string text)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(text);
        builder.Services.Configure<PromptTemplateOptions>(o => o.Partials[name] = text);
        return builder;
    }

    /// <summary>Changes the template service's options.</summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The builder.</returns>
    public static ILlmKitBuilder ConfigurePromptTemplates(this ILlmKitBuilder builder, Action<PromptTemplateOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
