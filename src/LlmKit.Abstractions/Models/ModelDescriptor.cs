namespace LlmKit;

/// <summary>
/// What the model registry knows of one model: who serves it, how much it holds, what it costs and
/// what it can do.
/// </summary>
public sealed record ModelDescriptor
{
    /// <summary>Gets the model id, unique in the registry (for example <c>gpt-4o</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the provider (for example <c>openai</c>, <c>anthropic</c>, <c>gemini</c>).</summary>
    public required string Provider { get; init; }

    /// <summary>Gets the id the provider's API expects, when it differs from <see cref="Id"/>; <see langword="null"/> otherwise.</summary>
    public string? ProviderModelId { get; init; }

    /// <summary>Gets other names the model can be looked up by. Defaults to none.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Gets the context window in tokens, or <see langword="null"/> when unknown.</summary>
    public int? ContextWindow { get; init; }

    /// <summary>Gets the maximum output tokens per call, or <see langword="null"/> when unknown.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Gets the prices, or <see langword="null"/> when no price is known.</summary>
    public ModelPricing? Pricing { get; init; }

    /// <summary>Gets what the model can do. Defaults to <see cref="ModelCapabilities.None"/>.</summary>
    public ModelCapabilities Capabilities { get; init; }

    /// <summary>Gets a value indicating whether the model can be routed to. Defaults to <see langword="true"/>.</summary>
    public bool IsActive { get; init; } = true;

    /// <summary>Gets the date the provider retires the model, or <see langword="null"/>.</summary>
    public DateOnly? DeprecationDate { get; init; }

    /// <summary>Gets where the facts come from (for example <c>catalog</c>, <c>configuration</c>, <c>runtime</c>).</summary>
    public string Source { get; init; } = "runtime";
}
