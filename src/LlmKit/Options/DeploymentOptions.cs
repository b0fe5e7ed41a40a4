namespace LlmKit;

/// <summary>A deployment as configured: a provider connection plus the provider's model name.</summary>
public sealed class DeploymentOptions
{
    /// <summary>Gets or sets the deployment name, or <see langword="null"/> for <c>{Provider}/{Model}</c>.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets the provider connection name. Required.</summary>
    public string Provider { get; set; } = string.Empty;

    /// <summary>Gets or sets the model name sent to the provider. Required.</summary>
    public string Model { get; set; } = string.Empty;

    /// <summary>Gets or sets the weight for weighted strategies. Defaults to 1; must be positive.</summary>
    public int Weight { get; set; } = 1;

    /// <summary>Gets or sets the priority; lower is tried first. Defaults to 0.</summary>
    public int Priority { get; set; }

    /// <summary>Gets or sets the client-side request limit per minute, or <see langword="null"/> for none.</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Gets or sets the client-side token limit per minute, or <see langword="null"/> for none.</summary>
    public int? TokensPerMinute { get; set; }

    /// <summary>Gets or sets the most calls in flight at once on this deployment (client side), or <see langword="null"/> for no limit. Defaults to none.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>Gets or sets a value indicating whether the deployment serves calls. Defaults to <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets this deployment's resilience settings, or <see langword="null"/> to use <see cref="LlmKitOptions.Resilience"/>. Defaults to none.</summary>
    public DeploymentResilienceOptions? Resilience { get; set; }

    /// <summary>Gets or sets this deployment's cooldown settings, or <see langword="null"/> to use <see cref="LlmKitOptions.Cooldown"/>. Defaults to none.</summary>
    public DeploymentCooldownOptions? Cooldown { get; set; }

    /// <summary>Gets or sets free-form tags. Defaults to none.</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>Returns the deployment as the registry's immutable <see cref="ModelDeployment"/>.</summary>
    /// <returns>The deployment.</returns>
    public ModelDeployment ToDeployment() => new()
    {
        Name = string.IsNullOrWhiteSpace(Name) ? $"{Provider}/{Model}" : Name,
        Provider = Provider,
        Model = Model,
        Weight = Weight,
        Priority = Priority,
        RequestsPerMinute = RequestsPerMinute,
        TokensPerMinute = TokensPerMinute,
        Tags = Tags.ToArray(),
    };
}
