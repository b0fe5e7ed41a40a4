namespace LlmKit;

/// <summary>
/// One way to serve a logical model: a provider connection plus the model name that provider expects.
/// </summary>
public sealed record ModelDeployment
{
    /// <summary>Gets the deployment name, unique in the app (defaults to <c>{provider}/{model}</c> when configured without one).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the name of the provider connection (as registered with <see cref="ILlmKitBuilder"/>).</summary>
    public required string Provider { get; init; }

    /// <summary>Gets the model name sent to the provider.</summary>
    public required string Model { get; init; }

    /// <summary>Gets the weight for weighted strategies. Defaults to 1.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Gets the priority for ordered strategies; lower is tried first. Defaults to 0.</summary>
    public int Priority { get; init; }

    /// <summary>Gets the client-side request limit per minute, or <see langword="null"/> for none.</summary>
    public int? RequestsPerMinute { get; init; }

    /// <summary>Gets the client-side token limit per minute, or <see langword="null"/> for none.</summary>
    public int? TokensPerMinute { get; init; }

    /// <summary>Gets free-form tags. Defaults to none.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}
