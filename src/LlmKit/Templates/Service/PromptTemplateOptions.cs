namespace LlmKit;

/// <summary>Options of the prompt template service.</summary>
public sealed class PromptTemplateOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether rendering is strict: a variable without a value and an input the
    /// template does not declare are errors. Defaults to <see langword="true"/>. When <see langword="false"/>,
    /// such variables render as empty text and extra inputs are ignored; missing required inputs and values of
    /// the wrong type are errors either way.
    /// </summary>
    public bool Strict { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the shipped default templates (<see cref="DefaultPromptTemplates"/>) are imported into the store on first use. Defaults to <see langword="true"/>.</summary>
    public bool IncludeDefaultTemplates { get; set; } = true;

    /// <summary>Gets the partials templates can include with <c>{{&gt;name}}</c>, by name. Defaults to none.</summary>
    public IDictionary<string, string> Partials { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets the personas templates include as the <c>persona</c> partial, and which one each call gets. Defaults to the shipped personas, <c>neutral</c> for every call.</summary>
    public PersonaOptions Personas { get; } = new();

    /// <summary>
    /// Gets or sets how many levels (0 to 2) a persona's traits may move to match how the user writes, measured on the user
    /// messages of the template's <c>kind: thread</c> input; 0 turns adaptation off. Defaults to 0 (off). What moved and why
    /// is in the rendered options' additional property <c>llmkit.persona.adaptation</c>.
    /// </summary>
    public int PersonaAdaptationShift { get; set; }

    /// <summary>Gets the templates imported into the store on first use (for example loaded from files). Defaults to none.</summary>
    public IList<PromptTemplate> Templates { get; } = [];
}
