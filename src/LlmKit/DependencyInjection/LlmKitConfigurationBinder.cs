using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// Binds <see cref="LlmKitOptions"/> from the <c>LlmKit</c> section of the given configuration, or of
/// the app's <see cref="IConfiguration"/> when one is registered. Before binding, the section is walked against the
/// options types (<see cref="ConfigurationShapeChecker"/>) so that one exception names every misspelled key and every
/// value that cannot be converted, each with its full path.
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
        var problems = new ConfigurationProblems();
        ConfigurationShapeChecker.Check(section, typeof(LlmKitOptions), problems.Add);
        problems.ThrowIfAny($"LlmKit configuration could not be read (fix these keys in the '{LlmKitOptions.SectionName}' section):");

        try
        {
            section.Bind(options, static b => b.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            // The walk above finds what the binder refuses; this is a safety net for a case it does not know. The
            // binder's message may quote a secret value, so neither it nor the binder's exception is passed on.
            throw new LlmKitConfigurationException(
                $"LlmKit configuration could not be read: a value in the '{section.Path}' section cannot be bound ({ex.GetType().Name}). Check the section against the documented settings.",
                [section.Path]);
        }
    }
}
