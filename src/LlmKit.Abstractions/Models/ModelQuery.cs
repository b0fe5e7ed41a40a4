namespace LlmKit;

/// <summary>Selects models from the registry; every criterion left <see langword="null"/> matches all.</summary>
public sealed record ModelQuery
{
    /// <summary>Gets the provider to match, case-insensitively.</summary>
    public string? Provider { get; init; }

    /// <summary>Gets capabilities the model must all have. Defaults to <see cref="ModelCapabilities.None"/>.</summary>
    public ModelCapabilities RequiredCapabilities { get; init; }

    /// <summary>Gets the smallest acceptable context window.</summary>
    public int? MinContextWindow { get; init; }

    /// <summary>Gets the highest acceptable input price in USD per million tokens; models without a price do not match.</summary>
    public decimal? MaxInputPerMillion { get; init; }

    /// <summary>Gets the highest acceptable output price in USD per million tokens; models without a price do not match.</summary>
    public decimal? MaxOutputPerMillion { get; init; }

    /// <summary>Gets a value indicating whether inactive models are included. Defaults to <see langword="false"/>.</summary>
    public bool IncludeInactive { get; init; }
}
