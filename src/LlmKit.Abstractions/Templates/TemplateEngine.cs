namespace LlmKit;

/// <summary>The template language a <see cref="PromptTemplate"/>'s messages are written in.</summary>
public enum TemplateEngine
{
    /// <summary>
    /// Mustache: <c>{{name}}</c>, sections <c>{{#items}}..{{/items}}</c>, inverted sections, partials <c>{{&gt; name}}</c>,
    /// comments. The default for templates built in code and for LlmKit's YAML and JSON files.
    /// </summary>
    Mustache = 0,

    /// <summary>
    /// Jinja2 (also read for Prompty's <c>nunjucks</c>): <c>{{ name | filter(arg) }}</c>, <c>{% if %}</c>/<c>{% elif %}</c>,
    /// <c>{% for %}</c> with <c>loop.index</c>, <c>{% set %}</c>, <c>{# comments #}</c> and <c>-</c> whitespace control.
    /// The default for a <c>.prompty</c> file without a <c>template:</c> field, as Prompty's specification says. Rendered by
    /// Fluid after a checked translation; constructs Liquid cannot express are refused when the template is loaded.
    /// </summary>
    Jinja2 = 1,

    /// <summary>Liquid, as implemented by Fluid: <c>{{ name | filter: arg }}</c>, <c>{% if %}</c>/<c>{% elsif %}</c>, <c>{% for %}</c> with <c>forloop</c>, <c>{% assign %}</c>, <c>{% comment %}</c>.</summary>
    Liquid = 2,
}
