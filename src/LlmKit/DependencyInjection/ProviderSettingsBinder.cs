using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// Binds a configured connection's <c>Settings</c> (<c>LlmKit:Providers:{name}:Settings</c>) to its provider type's typed
/// settings, as the named options <typeparamref name="TSettings"/> of the connection's name. The section is walked
/// first (<see cref="ConfigurationShapeChecker"/>), so one exception names every unknown key and every value that does
/// not convert, each with its full path. A name that is no configured connection keeps the defaults.
/// </summary>
/// <typeparam name="TSettings">The provider's typed settings.</typeparam>
internal sealed class ProviderSettingsBinder<TSettings>(IOptions<LlmKitOptions> kit) : IConfigureNamedOptions<TSettings>
    where TSettings : class
{
    public void Configure(TSettings options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, TSettings options)
    {
        if (string.IsNullOrEmpty(name) || !kit.Value.Providers.TryGetValue(name, out var connection) || connection is null || connection.Settings.Count == 0)
        {
            return;
        }

        var section = new DictionaryConfigurationSection(SectionPath(name), connection.Settings);
        var problems = new ConfigurationProblems();
        ConfigurationShapeChecker.Check(section, typeof(TSettings), problems.Add);
        problems.ThrowIfAny($"LlmKit provider connection '{name}' has settings its type does not take:");
        section.Bind(options);
    }

    /// <summary>Returns the bound and validated settings of connection <paramref name="name"/>.</summary>
    /// <exception cref="LlmKitConfigurationException">A setting is unknown, does not convert, or fails a validator (its key named).</exception>
    public static TSettings Get(IServiceProvider services, string name)
    {
        try
        {
            return services.GetRequiredService<IOptionsMonitor<TSettings>>().Get(name);
        }
        catch (OptionsValidationException ex)
        {
            // A validator that returns its failures (rather than throwing a LlmKit exception with the keys): the
            // connection's settings section is the most precise key known.
            string key = SectionPath(name);
            throw new LlmKitConfigurationException($"'{key}': {string.Join(" ", ex.Failures)}", [key], ex);
        }
    }

    private static string SectionPath(string name) => $"{LlmKitOptions.SectionName}:Providers:{name}:Settings";
}
