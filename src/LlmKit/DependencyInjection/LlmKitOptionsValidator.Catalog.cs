namespace LlmKit;

internal sealed partial class LlmKitOptionsValidator
{
    private static void ValidateCatalog(LlmKitOptions options, Action<string, string> problem)
    {
        foreach (var (modelId, entry) in options.Catalog)
        {
            string key = $"LlmKit:Catalog:{modelId}";
            if (entry is null)
            {
                continue;
            }

            if (entry.Capabilities is { } capabilityNames)
            {
                foreach (string capabilityName in capabilityNames)
                {
                    if (!Enum.TryParse(capabilityName, ignoreCase: true, out ModelCapabilities capability) || !Enum.IsDefined(capability))
                    {
                        problem(key + ":Capabilities", $"'{capabilityName}' is not a capability. Known: {string.Join(", ", Enum.GetNames<ModelCapabilities>())}.");
                    }
                }
            }

            if (entry.ContextWindow is <= 0)
            {
                problem(key + ":ContextWindow", "must be positive when set.");
            }

            if (entry.MaxOutputTokens is <= 0)
            {
                problem(key + ":MaxOutputTokens", "must be positive when set.");
            }

            if (entry.Pricing is { } p && new[] { p.InputPerMillion, p.OutputPerMillion, p.CachedInputPerMillion, p.CacheWritePerMillion, p.CacheWrite1HourPerMillion, p.ReasoningPerMillion, p.BatchInputPerMillion, p.BatchOutputPerMillion }.Any(v => v < 0))
            {
                problem(key + ":Pricing", "prices cannot be negative.");
            }
        }
    }
}
