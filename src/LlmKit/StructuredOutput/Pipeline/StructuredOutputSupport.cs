namespace LlmKit;

/// <summary>
/// Decides from the model registry whether a logical model asks for structured output natively: yes when any of its
/// deployments' models supports JSON Schema output or has unknown capabilities (the router then picks a capable one);
/// no only when every one is known to lack it.
/// </summary>
internal static class StructuredOutputSupport
{
    public static bool Supports(string? requested, LlmKitOptions options, IModelRegistry registry)
    {
        string? name = requested ?? options.DefaultModel;
        if (string.IsNullOrEmpty(name))
        {
            return true;
        }

        IEnumerable<string> models = options.Models.TryGetValue(name, out var logical) && logical.Deployments.Count > 0
            ? logical.Deployments.Select(d => d.Model)
            : [name];
        foreach (string model in models)
        {
            if (!registry.TryGet(model, out var descriptor) || descriptor.Capabilities == ModelCapabilities.None
                || descriptor.Capabilities.HasFlag(ModelCapabilities.JsonSchema))
            {
                return true;
            }
        }

        return false;
    }
}
