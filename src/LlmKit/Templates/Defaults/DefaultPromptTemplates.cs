namespace LlmKit;

/// <summary>
/// The prompt templates LlmKit ships for common tasks, embedded as <c>.prompty</c> files: <c>knowledge-query</c>
/// (a question answered from documents with citations), <c>summarize</c>, <c>research-analysis</c>,
/// <c>code-generation</c>, <c>system-reasoning</c> and <c>agentic-reasoning</c>. Each declares its inputs.
/// The template service imports them into the store on first use unless
/// <see cref="PromptTemplateOptions.IncludeDefaultTemplates"/> is <see langword="false"/>.
/// </summary>
public static class DefaultPromptTemplates
{
    private static readonly Lazy<IReadOnlyList<PromptTemplate>> Templates = new(
        () => PromptTemplateFiles.LoadEmbedded(typeof(DefaultPromptTemplates).Assembly, "LlmKit.Templates.Defaults."));

    /// <summary>Gets the shipped templates, ordered by id.</summary>
    public static IReadOnlyList<PromptTemplate> All => Templates.Value;
}
