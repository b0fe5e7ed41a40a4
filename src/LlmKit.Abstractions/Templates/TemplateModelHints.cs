namespace LlmKit;

/// <summary>What a template suggests for the model call; the caller's own options win.</summary>
public sealed record TemplateModelHints
{
    /// <summary>Gets the model id or alias, or <see langword="null"/>.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the temperature, or <see langword="null"/>.</summary>
    public float? Temperature { get; init; }

    /// <summary>Gets the top-p, or <see langword="null"/>.</summary>
    public float? TopP { get; init; }

    /// <summary>Gets the maximum output tokens, or <see langword="null"/>.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Gets the response format: <c>text</c>, <c>json</c>, or a JSON schema as text; <see langword="null"/> for text.</summary>
    public string? ResponseFormat { get; init; }

    /// <summary>Gets the stop sequences. Defaults to none.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>Gets the frequency penalty, or <see langword="null"/>.</summary>
    public float? FrequencyPenalty { get; init; }

    /// <summary>Gets the presence penalty, or <see langword="null"/>.</summary>
    public float? PresencePenalty { get; init; }

    /// <summary>Gets the sampling seed, or <see langword="null"/>.</summary>
    public long? Seed { get; init; }

    /// <summary>Gets further options passed through to the provider. Defaults to empty.</summary>
    public IReadOnlyDictionary<string, object?> AdditionalProperties { get; init; } = new Dictionary<string, object?>();
}
