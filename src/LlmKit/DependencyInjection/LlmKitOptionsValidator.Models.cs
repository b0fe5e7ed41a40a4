using System.Globalization;

namespace LlmKit;

internal sealed partial class LlmKitOptionsValidator
{
    private static void ValidateModels(LlmKitOptions options, HashSet<string> allProviders, Action<string, string> problem)
    {
        foreach (var conflict in options.CodeConfigurationConflicts)
        {
            problem(conflict.Key, conflict.Message);
        }

        foreach (var (modelName, model) in options.Models)
        {
            string key = $"LlmKit:Models:{modelName}";
            if (model is null || model.Deployments.Count == 0)
            {
                problem(key + ":Deployments", "a logical model needs at least one deployment.");
                continue;
            }

            for (int i = 0; i < model.Deployments.Count; i++)
            {
                ValidateDeployment(string.Create(CultureInfo.InvariantCulture, $"{key}:Deployments:{i}"), model.Deployments[i], allProviders, problem);
            }

            if (!Enum.IsDefined(model.Strategy))
            {
                problem(key + ":Strategy", $"'{model.Strategy}' is not a strategy. Known: {string.Join(", ", Enum.GetNames<RoutingStrategy>())}.");
            }

            if (model.LatencyTolerance is < 0 or > 10 || double.IsNaN(model.LatencyTolerance))
            {
                problem(key + ":LatencyTolerance", string.Create(CultureInfo.InvariantCulture, $"must be between 0 and 10 (a fraction: 0.2 is 20 % slower than the fastest); it is {model.LatencyTolerance}."));
            }

            ValidateFallbacks(options, allProviders, modelName, key, model, problem);
        }
    }

    private static void ValidateDeployment(string key, DeploymentOptions d, HashSet<string> allProviders, Action<string, string> problem)
    {
        if (d is null)
        {
            problem(key, "the deployment is empty; set its 'Provider' and 'Model'.");
            return;
        }

        if (string.IsNullOrWhiteSpace(d.Provider))
        {
            problem(key + ":Provider", "is required.");
        }
        else if (!allProviders.Contains(d.Provider))
        {
            problem(key + ":Provider", $"'{d.Provider}' is not a provider connection. Known connections: {Known(allProviders)}.");
        }

        if (string.IsNullOrWhiteSpace(d.Model))
        {
            problem(key + ":Model", "is required: the model name sent to the provider.");
        }

        if (d.Weight <= 0)
        {
            problem(key + ":Weight", string.Create(CultureInfo.InvariantCulture, $"must be positive; it is {d.Weight}."));
        }

        if (d.RequestsPerMinute is <= 0)
        {
            problem(key + ":RequestsPerMinute", "must be positive when set.");
        }

        if (d.TokensPerMinute is <= 0)
        {
            problem(key + ":TokensPerMinute", "must be positive when set.");
        }

        if (d.MaxConcurrency is <= 0)
        {
            problem(key + ":MaxConcurrency", "must be positive when set.");
        }

        if (d.Resilience is { } resilience)
        {
            ValidateResilience(key + ":Resilience", resilience, problem);
        }

        if (d.Cooldown is { } cooldown)
        {
            ValidateCooldown(key + ":Cooldown", cooldown, problem);
        }
    }

    private static void ValidateFallbacks(LlmKitOptions options, HashSet<string> allProviders, string modelName, string key, LogicalModelOptions model, Action<string, string> problem)
    {
        foreach (var (listName, list) in new[] { ("Fallbacks", model.Fallbacks), ("ContextWindowFallbacks", model.ContextWindowFallbacks), ("ContentPolicyFallbacks", model.ContentPolicyFallbacks) })
        {
            for (int i = 0; i < list.Count; i++)
            {
                string fallback = list[i];
                string fkey = string.Create(CultureInfo.InvariantCulture, $"{key}:{listName}:{i}");
                if (string.IsNullOrWhiteSpace(fallback))
                {
                    problem(fkey, "is empty; name a logical model or a provider model id.");
                }
                else if (string.Equals(fallback, modelName, StringComparison.OrdinalIgnoreCase))
                {
                    problem(fkey, $"'{fallback}' falls back to itself.");
                }
                else if (!options.Models.ContainsKey(fallback) && string.IsNullOrWhiteSpace(options.DefaultProvider) && allProviders.Count != 1)
                {
                    problem(fkey, $"'{fallback}' is not a logical model under 'LlmKit:Models', and there is no default provider to send it to. Define it or set 'LlmKit:DefaultProvider'.");
                }
            }
        }
    }
}
