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
            var specific = FindDeploymentError(section) ?? FindBudgetError(section) ?? SafetyConfigurationErrors.Find(section) ?? ex;

            // The binder names the path in its message ("... at 'LlmKit:Models:smart:Strategy' ..."): report it as the bad key.
            var path = System.Text.RegularExpressions.Regex.Match(specific.Message, "at '([^']+)'", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
            throw new LlmKitConfigurationException(
                $"LlmKit configuration could not be read: {specific.Message} Fix the value in the '{LlmKitOptions.SectionName}' section.",
                path.Success ? [path.Groups[1].Value] : [],
                ex);
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
            var strategy = model.GetSection(nameof(LogicalModelOptions.Strategy));
            if (strategy.Value is { } name && !Enum.TryParse<RoutingStrategy>(name, ignoreCase: true, out _))
            {
                return new InvalidOperationException($"'{name}' at '{strategy.Path}' is not a routing strategy. Known: {string.Join(", ", Enum.GetNames<RoutingStrategy>())}.");
            }

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

    /// <summary>Binds each budget on its own to find the one with a misspelled setting or a value that cannot be converted.</summary>
    private static InvalidOperationException? FindBudgetError(IConfigurationSection section)
    {
        foreach (var budget in section.GetSection(nameof(LlmKitOptions.Budgets)).GetChildren())
        {
            try
            {
                _ = budget.Get<BudgetOptions>(static b => b.ErrorOnUnknownConfiguration = true);
            }
            catch (InvalidOperationException ex)
            {
                return new InvalidOperationException($"{ex.Message} (budget at '{budget.Path}')", ex);
            }
        }

        var admission = section.GetSection(nameof(LlmKitOptions.BudgetAdmission));
        try
        {
            _ = admission.Get<BudgetAdmissionOptions>(static b => b.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            return new InvalidOperationException($"{ex.Message} (at '{admission.Path}')", ex);
        }

        return null;
    }
}
