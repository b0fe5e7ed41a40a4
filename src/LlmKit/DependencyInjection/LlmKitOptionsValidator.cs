using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// Validates <see cref="LlmKitOptions"/> at start-up and throws a <see cref="LlmKitConfigurationException"/>
/// that lists every problem with its configuration key. Each section has its own part of this class
/// (providers, models, resilience, catalog); budgets and safety have their own validators, called from here.
/// Messages name the key and what is wrong and never echo a secret-like value.
/// </summary>
internal sealed partial class LlmKitOptionsValidator(
    IEnumerable<ProviderRegistration> registrations,
    IEnumerable<ProviderTypeRegistration> types) : IValidateOptions<LlmKitOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmKitOptions options)
    {
        var problems = new ConfigurationProblems();
        var codeProviders = new HashSet<string>(registrations.Select(r => r.Name), StringComparer.OrdinalIgnoreCase);
        var typeNames = new HashSet<string>(types.Select(t => t.TypeName), StringComparer.OrdinalIgnoreCase);
        var allProviders = new HashSet<string>(codeProviders, StringComparer.OrdinalIgnoreCase);
        allProviders.UnionWith(options.Providers.Keys);

        ValidateProviders(options, codeProviders, typeNames, problems.Add);
        ValidateModels(options, allProviders, problems.Add);
        ValidateResilience("LlmKit:Resilience", options.Resilience, problems.Add);
        foreach (var (connection, resilience) in options.ConnectionResilience)
        {
            string key = "LlmKit:ConnectionResilience:" + connection;
            if (!allProviders.Contains(connection))
            {
                problems.Add(key, $"'{connection}' is not a provider connection. Known connections: {(allProviders.Count == 0 ? "(none)" : string.Join(", ", allProviders.Order(StringComparer.OrdinalIgnoreCase)))}.");
            }

            ValidateResilience(key, resilience ?? new DeploymentResilienceOptions(), problems.Add);
        }

        ValidateCooldown("LlmKit:Cooldown", options.Cooldown, problems.Add);
        ValidateCatalog(options, problems.Add);
        BudgetServices.ValidateOptions(options, allProviders.Count, problems.Add);
        ValidateDefaults(options, allProviders, problems.Add);
        SafetyOptionsValidator.Validate(options.Safety, problems.Add);
        ValidateResponseCache(options.ResponseCache ?? new ResponseCacheOptions(), problems.Add);
        ValidateToolLoop(options.ToolLoop, problems.Add);

        // Thrown rather than returned so that hosts see a LlmKit exception at start-up.
        problems.ThrowIfAny("LlmKit configuration is invalid:");
        return ValidateOptionsResult.Success;
    }

    private static void ValidateDefaults(LlmKitOptions options, HashSet<string> allProviders, Action<string, string> problem)
    {
        if (!string.IsNullOrWhiteSpace(options.DefaultProvider) && !allProviders.Contains(options.DefaultProvider))
        {
            problem("LlmKit:DefaultProvider", $"'{options.DefaultProvider}' is not a provider connection. Known connections: {Known(allProviders)}.");
        }

        if (!string.IsNullOrWhiteSpace(options.DefaultModel)
            && !options.Models.ContainsKey(options.DefaultModel)
            && string.IsNullOrWhiteSpace(options.DefaultProvider)
            && allProviders.Count != 1)
        {
            problem("LlmKit:DefaultModel", $"'{options.DefaultModel}' is not a logical model under 'LlmKit:Models', and with {allProviders.Count} provider connections there is no default provider to send it to. Define the logical model or set 'LlmKit:DefaultProvider'.");
        }
    }

    private static void ValidateResponseCache(ResponseCacheOptions cache, Action<string, string> problem)
    {
        const string Key = "LlmKit:ResponseCache";
        if (!Enum.IsDefined(cache.Mode))
        {
            problem(Key + ":Mode", $"'{cache.Mode}' is not a cache mode; use Off, All or DeterministicOnly.");
        }

        if (cache.TimeToLive <= TimeSpan.Zero)
        {
            problem(Key + ":TimeToLive", $"must be positive (it is {cache.TimeToLive}); set a duration such as 01:00:00, or Mode=Off to turn the cache off.");
        }

        foreach (var (model, settings) in cache.Models)
        {
            string key = Key + ":Models:" + model;
            if (settings is null)
            {
                continue;
            }

            if (settings.Mode is { } mode && !Enum.IsDefined(mode))
            {
                problem(key + ":Mode", $"'{mode}' is not a cache mode; use Off, All or DeterministicOnly.");
            }

            if (settings.TimeToLive is { } ttl && ttl <= TimeSpan.Zero)
            {
                problem(key + ":TimeToLive", $"must be positive (it is {ttl}).");
            }

            if (settings.CacheGroup is { } group && string.IsNullOrWhiteSpace(group))
            {
                problem(key + ":CacheGroup", "is blank; name a group or leave the key out.");
            }
        }
    }

    private static void ValidateToolLoop(ToolLoopOptions? loop, Action<string, string> problem)
    {
        if (loop is null)
        {
            return;
        }

        if (loop.MaxIterations < 2)
        {
            problem("LlmKit:ToolLoop:MaxIterations", $"{loop.MaxIterations} is not allowed: the loop needs at least 2 round trips (one that may call tools and the last, without tools). The default is 40.");
        }

        if (loop.MaxConsecutiveErrors < 0)
        {
            problem("LlmKit:ToolLoop:MaxConsecutiveErrors", $"{loop.MaxConsecutiveErrors} is not allowed: use 0 to stop at the first tool error, or more. The default is 3.");
        }

        if (loop.ToolTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            problem("LlmKit:ToolLoop:ToolTimeout", $"{timeout} is not a positive duration. Leave it empty for no limit; the default is 00:01:00.");
        }
    }

    private static string Known(IEnumerable<string> names)
    {
        string list = string.Join(", ", names.Order(StringComparer.OrdinalIgnoreCase));
        return list.Length == 0 ? "(none)" : list;
    }
}
