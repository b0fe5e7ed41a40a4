namespace LlmKit;

/// <summary>A template that fits a task description, with its keyword score.</summary>
/// <param name="Template">The template (its latest version).</param>
/// <param name="Score">The keyword score: higher fits better; matches in the name weigh 3, in tags 2, in the description 1.</param>
public sealed record TemplateRecommendation(PromptTemplate Template, double Score);
