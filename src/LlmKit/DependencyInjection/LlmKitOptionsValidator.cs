using System.Globalization;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// Validates <see cref="LlmKitOptions"/> at start-up and throws a <see cref="LlmKitConfigurationException"/>
/// that lists every problem with its configuration key.
/// </summary>
internal sealed class LlmKitOptionsValidator(
    IEnumerable<ProviderRegistration> registrations,
    IEnumerable<ProviderTypeRegistration> types) : IValidateOptions<LlmKitOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmKitOptions options)
    {
        var problems = new List<string>();
        var keys = new List<string>();
        void Problem(string key, string message)
        {
            keys.Add(key);
            problems.Add($"'{key}': {message}");
        }

        var codeProviders = new HashSet<string>(registrations.Select(r => r.Name), StringComparer.OrdinalIgnoreCase);
        var typeNames = new HashSet<string>(types.Select(t => t.TypeName), StringComparer.OrdinalIgnoreCase);
        var allProviders = new HashSet<string>(codeProviders, StringComparer.OrdinalIgnoreCase);

        foreach (var (providerName, settings) in options.Providers)
        {
            string key = $"LlmKit:Providers:{providerName}";
            allProviders.Add(providerName);
            if (codeProviders.Contains(providerName))
            {
                Problem(key, $"a provider connection named '{providerName}' is also registered in code with kit.AddProvider(); rename one of them.");
            }

            if (settings is null)
            {
                Problem(key, "the connection is empty; set at least its 'Type'.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(settings.Type))
            {
                Problem(key + ":Type", $"is required. Known provider types: {Known(typeNames)}.");
            }
            else if (!typeNames.Contains(settings.Type))
            {
                Problem(key + ":Type", $"'{settings.Type}' is not a registered provider type. Known provider types: {Known(typeNames)}. Reference the provider package and call its registration (for example kit.AddOpenAI()).");
            }

            if (settings.BaseUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
            {
                Problem(key + ":BaseUrl", $"'{url.OriginalString}' must be an absolute http or https address.");
            }
        }

        foreach (var (modelName, model) in options.Models)
        {
            string key = $"LlmKit:Models:{modelName}";
            if (model is null || model.Deployments.Count == 0)
            {
                Problem(key + ":Deployments", "a logical model needs at least one deployment.");
                continue;
            }

            for (int i = 0; i < model.Deployments.Count; i++)
            {
                var d = model.Deployments[i];
                string dkey = string.Create(CultureInfo.InvariantCulture, $"{key}:Deployments:{i}");
                if (string.IsNullOrWhiteSpace(d.Provider))
                {
                    Problem(dkey + ":Provider", "is required.");
                }
                else if (!allProviders.Contains(d.Provider))
                {
                    Problem(dkey + ":Provider", $"'{d.Provider}' is not a provider connection. Known connections: {Known(allProviders)}.");
                }

                if (string.IsNullOrWhiteSpace(d.Model))
                {
                    Problem(dkey + ":Model", "is required: the model name sent to the provider.");
                }

                if (d.Weight <= 0)
                {
                    Problem(dkey + ":Weight", string.Create(CultureInfo.InvariantCulture, $"must be positive; it is {d.Weight}."));
                }

                if (d.RequestsPerMinute is <= 0)
                {
                    Problem(dkey + ":RequestsPerMinute", "must be positive when set.");
                }

                if (d.TokensPerMinute is <= 0)
                {
                    Problem(dkey + ":TokensPerMinute", "must be positive when set.");
                }
            }
        }

        foreach (var (modelId, entry) in options.Catalog)
        {
            string key = $"LlmKit:Catalog:{modelId}";
            if (entry.Capabilities is { } capabilityNames)
            {
                foreach (string capabilityName in capabilityNames)
                {
                    if (!Enum.TryParse(capabilityName, ignoreCase: true, out ModelCapabilities capability) || !Enum.IsDefined(capability))
                    {
                        Problem(key + ":Capabilities", $"'{capabilityName}' is not a capability. Known: {string.Join(", ", Enum.GetNames<ModelCapabilities>())}.");
                    }
                }
            }

            if (entry.ContextWindow is <= 0)
            {
                Problem(key + ":ContextWindow", "must be positive when set.");
            }

            if (entry.MaxOutputTokens is <= 0)
            {
                Problem(key + ":MaxOutputTokens", "must be positive when set.");
            }

            if (entry.Pricing is { } p && new[] { p.InputPerMillion, p.OutputPerMillion, p.CachedInputPerMillion, p.CacheWritePerMillion, p.CacheWrite1HourPerMillion, p.ReasoningPerMillion, p.BatchInputPerMillion, p.BatchOutputPerMillion }.Any(v => v < 0))
            {
                Problem(key + ":Pricing", "prices cannot be negative.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.DefaultProvider) && !allProviders.Contains(options.DefaultProvider))
        {
            Problem("LlmKit:DefaultProvider", $"'{options.DefaultProvider}' is not a provider connection. Known connections: {Known(allProviders)}.");
        }

        if (!string.IsNullOrWhiteSpace(options.DefaultModel)
            && !options.Models.ContainsKey(options.DefaultModel)
            && string.IsNullOrWhiteSpace(options.DefaultProvider)
            && allProviders.Count != 1)
        {
            Problem("LlmKit:DefaultModel", $"'{options.DefaultModel}' is not a logical model under 'LlmKit:Models', and with {allProviders.Count} provider connections there is no default provider to send it to. Define the logical model or set 'LlmKit:DefaultProvider'.");
        }

        if (problems.Count > 0)
        {
            // Thrown rather than returned so that hosts see a LlmKit exception at start-up.
            throw new LlmKitConfigurationException(
                "LlmKit configuration is invalid: " + string.Join(" ", problems),
                keys);
        }

        return ValidateOptionsResult.Success;
    }

    private static string Known(IEnumerable<string> names)
    {
        string list = string.Join(", ", names.Order(StringComparer.OrdinalIgnoreCase));
        return list.Length == 0 ? "(none)" : list;
    }
}
