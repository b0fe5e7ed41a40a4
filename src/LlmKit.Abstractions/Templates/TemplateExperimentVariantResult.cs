namespace LlmKit;

/// <summary>The results of one variant of an A/B experiment, compared with the control (the first variant).</summary>
public sealed record TemplateExperimentVariantResult
{
    /// <summary>Gets the variant name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the template version.</summary>
    public int Version { get; init; }

    /// <summary>Gets the calls made through the pipeline with prompts rendered for this variant.</summary>
    public long Calls { get; init; }

    /// <summary>Gets how many scores were reported for this variant.</summary>
    public long ScoreCount { get; init; }

    /// <summary>Gets the mean score, or <see langword="null"/> without scores.</summary>
    public double? MeanScore { get; init; }

    /// <summary>Gets the sample standard deviation of the scores, or <see langword="null"/> with fewer than two.</summary>
    public double? ScoreStandardDeviation { get; init; }

    /// <summary>Gets the known cost of the variant's calls, in USD.</summary>
    public decimal KnownCostUsd { get; init; }

    /// <summary>Gets the mean latency of the variant's calls, or <see langword="null"/> without calls or when the ledger does not sum latencies.</summary>
    public TimeSpan? MeanLatency { get; init; }

    /// <summary>
    /// Gets Welch's t statistic of this variant's mean score against the control's, or <see langword="null"/>
    /// for the control itself or when either side has fewer than two scores or no variance.
    /// </summary>
    public double? TStatistic { get; init; }

    /// <summary>
    /// Gets the two-sided p-value of Welch's t-test against the control (the chance of a difference at least
    /// this large if the variants were equally good), or <see langword="null"/> when <see cref="TStatistic"/> is.
    /// </summary>
    public double? PValue { get; init; }
}
