namespace LlmKit;

/// <summary>One arm of an A/B experiment: a template version and its share of the traffic.</summary>
/// <param name="Name">The variant name (for example <c>A</c>, <c>control</c>), unique in the experiment.</param>
/// <param name="Version">The template version the variant renders.</param>
/// <param name="Weight">The relative share of assignments; positive. Weights need not add up to 1.</param>
public sealed record TemplateExperimentVariant(string Name, int Version, double Weight);
