namespace LlmKit;

/// <summary>The results of an A/B experiment, one entry per variant, control first.</summary>
public sealed record TemplateExperimentResults
{
    /// <summary>Gets the experiment.</summary>
    public required TemplateExperiment Experiment { get; init; }

    /// <summary>Gets the results per variant, in the experiment's order.</summary>
    public required IReadOnlyList<TemplateExperimentVariantResult> Variants { get; init; }
}
