namespace LlmKit;

/// <summary>The file formats prompt templates are read from and written to.</summary>
public enum PromptTemplateFileFormat
{
    /// <summary>
    /// A <c>.prompty</c> file: YAML front matter between <c>---</c> lines (Prompty v1 or v2 field names),
    /// then the messages as role sections, each starting with a line <c>system:</c>, <c>user:</c> or <c>assistant:</c>.
    /// </summary>
    Prompty = 0,

    /// <summary>A YAML file (<c>.yaml</c>, <c>.yml</c>) in LlmKit's template shape: <c>id</c>, <c>messages</c> with <c>role</c> and <c>template</c>, <c>inputs</c>, <c>model</c>, and so on.</summary>
    Yaml,

    /// <summary>A JSON file (<c>.json</c>) in the same shape as <see cref="Yaml"/>.</summary>
    Json,
}
