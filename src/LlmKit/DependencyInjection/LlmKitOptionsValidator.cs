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

                if (d.MaxConcurrency is <= 0)
                {
                    Problem(dkey + ":MaxConcurrency", "must be positive when set.");
                }

                if (d.Resilience is { } resilience)
                {
                    ValidateResilience(dkey + ":Resilience", resilience, Problem);
                }

                if (d.Cooldown is { } cooldown)
                {
                    ValidateCooldown(dkey + ":Cooldown", cooldown, Problem);
                }
            }

            if (!Enum.IsDefined(model.Strategy))
            {
                Problem(key + ":Strategy", $"'{model.Strategy}' is not a strategy. Known: {string.Join(", ", Enum.GetNames<RoutingStrategy>())}.");
            }

            if (model.LatencyTolerance is < 0 or > 10 || double.IsNaN(model.LatencyTolerance))
            {
                Problem(key + ":LatencyTolerance", string.Create(CultureInfo.InvariantCulture, $"must be between 0 and 10 (a fraction: 0.2 is 20 % slower than the fastest); it is {model.LatencyTolerance}."));
            }

            foreach (var (listName, list) in new[] { ("Fallbacks", model.Fallbacks), ("ContextWindowFallbacks", model.ContextWindowFallbacks), ("ContentPolicyFallbacks", model.ContentPolicyFallbacks) })
            {
                for (int i = 0; i < list.Count; i++)
                {
                    string fallback = list[i];
                    string fkey = string.Create(CultureInfo.InvariantCulture, $"{key}:{listName}:{i}");
                    if (string.IsNullOrWhiteSpace(fallback))
                    {
                        Problem(fkey, "is empty; name a logical model or a provider model id.");
                    }
                    else if (string.Equals(fallback, modelName, StringComparison.OrdinalIgnoreCase))
                    {
                        Problem(fkey, $"'{fallback}' falls back to itself.");
                    }
                    else if (!options.Models.ContainsKey(fallback) && string.IsNullOrWhiteSpace(options.DefaultProvider) && allProviders.Count != 1)
                    {
                        Problem(fkey, $"'{fallback}' is not a logical model under 'LlmKit:Models', and there is no default provider to send it to. Define it or set 'LlmKit:DefaultProvider'.");
                    }
                }
            }
        }

        ValidateResilience("LlmKit:Resilience", options.Resilience, Problem);
        ValidateCooldown("LlmKit:Cooldown", options.Cooldown, Problem);

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

        BudgetServices.ValidateOptions(options, allProviders.Count, Problem);

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

        SafetyOptionsValidator.Validate(options.Safety, Problem);

        if (problems.Count > 0)
        {
            // Thrown rather than returned so that hosts see a LlmKit exception at start-up.
            throw new LlmKitConfigurationException(
                "LlmKit configuration is invalid: " + string.Join(" ", problems),
                keys);
        }

        return ValidateOptionsResult.Success;
    }

    internal static void ValidateResilience(string key, DeploymentResilienceOptions r, Action<string, string> problem)
    {
        foreach (var (name, value) in new[] { ("TotalTimeout", r.TotalTimeout), ("AttemptTimeout", r.AttemptTimeout), ("FirstChunkTimeout", r.FirstChunkTimeout), ("ChunkIdleTimeout", r.ChunkIdleTimeout) })
        {
            if (value < TimeSpan.FromMilliseconds(10) || value > TimeSpan.FromDays(1))
            {
                problem($"{key}:{name}", string.Create(CultureInfo.InvariantCulture, $"must be between 10 ms and 1 day; it is {value}."));
            }
        }

        if (r.MaxRetries is < 0 or > 20)
        {
            problem(key + ":MaxRetries", string.Create(CultureInfo.InvariantCulture, $"must be between 0 and 20; it is {r.MaxRetries}."));
        }

        if (r.RetryBaseDelay < TimeSpan.Zero || r.RetryMaxDelay < r.RetryBaseDelay || r.MaxRetryAfter < TimeSpan.Zero)
        {
            problem(key + ":RetryBaseDelay", "delays cannot be negative, and RetryMaxDelay cannot be below RetryBaseDelay.");
        }

        if (r.CircuitBreakerFailureRatio is <= 0 or > 1 || double.IsNaN(r.CircuitBreakerFailureRatio))
        {
            problem(key + ":CircuitBreakerFailureRatio", string.Create(CultureInfo.InvariantCulture, $"must be greater than 0 and at most 1; it is {r.CircuitBreakerFailureRatio}."));
        }

        if (r.CircuitBreakerMinimumThroughput < 2)
        {
            problem(key + ":CircuitBreakerMinimumThroughput", "must be at least 2.");
        }

        if (r.CircuitBreakerSamplingDuration < TimeSpan.FromMilliseconds(500) || r.CircuitBreakerBreakDuration < TimeSpan.FromMilliseconds(500))
        {
            problem(key + ":CircuitBreakerSamplingDuration", "the sampling and break durations must be at least 0.5 s.");
        }

        if (r.StreamTotalTimeout is { } streamTotal && (streamTotal < TimeSpan.FromMilliseconds(10) || streamTotal > TimeSpan.FromDays(1)))
        {
            problem(key + ":StreamTotalTimeout", string.Create(CultureInfo.InvariantCulture, $"must be between 10 ms and 1 day, or unset to use TotalTimeout; it is {streamTotal}."));
        }

        if (r.MaxConcurrentRequests < 1)
        {
            problem(key + ":MaxConcurrentRequests", string.Create(CultureInfo.InvariantCulture, $"must be at least 1; it is {r.MaxConcurrentRequests}."));
        }
    }

    private static void ValidateCooldown(string key, DeploymentCooldownOptions c, Action<string, string> problem)
    {
        if (c.FailureRatio is <= 0 or > 1 || double.IsNaN(c.FailureRatio))
        {
            problem(key + ":FailureRatio", string.Create(CultureInfo.InvariantCulture, $"must be greater than 0 and at most 1; it is {c.FailureRatio}."));
        }

        if (c.MinimumCalls < 1)
        {
            problem(key + ":MinimumCalls", "must be at least 1.");
        }

        if (c.Duration < TimeSpan.Zero || c.MaxDuration < TimeSpan.Zero || c.ConfigurationErrorDuration < TimeSpan.Zero || c.Window <= TimeSpan.Zero)
        {
            problem(key + ":Duration", "durations cannot be negative and the window must be positive.");
        }
    }

    private static string Known(IEnumerable<string> names)
    {
        string list = string.Join(", ", names.Order(StringComparer.OrdinalIgnoreCase));
        return list.Length == 0 ? "(none)" : list;
    }
}
