using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// Binds <see cref="LlmKitOptions"/> from the <c>LlmKit</c> section of the given configuration, or of
/// the app's <see cref="IConfiguration"/> when one is registered.
/// </summary>
internal sealed class LlmKitConfigurationBinder(IServiceProvider services, IConfiguration? configuration) : IConfigureOptions<LlmKitOptions>
{
    public void Configure(LlmKitOptions options)
    {
        var root = configuration ?? (IConfiguration?)services.GetService(typeof(IConfiguration));
        if (root is null)
        {
            return;
        }

        var section = root is IConfigurationSection { Key: LlmKitOptions.SectionName } s ? s : root.GetSection(LlmKitOptions.SectionName);
        try
        {
            section.Bind(options, static b => b.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            var specific = FindDeploymentError(section) ?? ex;
            throw new LlmKitConfigurationException($"LlmKit configuration could not be read: {specific.Message} Fix the value in the '{LlmKitOptions.SectionName}' section.", ex);
        }
    }

    /// <summary>
    /// For a value inside a list the binder reports only that binding failed; bind each deployment on its
    /// own to find the key and value that cannot be converted.
    /// </summary>
    private static InvalidOperationException? FindDeploymentError(IConfigurationSection section)
    {
        foreach (var model in section.GetSection(nameof(LlmKitOptions.Models)).GetChildren())
        {
            foreach (var deployment in model.GetSection(nameof(LogicalModelOptions.Deployments)).GetChildren())
            {
                try
                {
                    _ = deployment.Get<DeploymentOptions>(static b => b.ErrorOnUnknownConfiguration = true);
                }
                catch (InvalidOperationException ex)
                {
                    return ex;
                }
            }
        }

        return null;
    }
}
