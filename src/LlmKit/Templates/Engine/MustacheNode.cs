namespace LlmKit;

/// <summary>A node of a compiled mustache template.</summary>
internal abstract class MustacheNode
{
    protected MustacheNode(int line, int column)
    {
        Line = line;
        Column = column;
    }

    /// <summary>Gets the 1-based line of the node in its source.</summary>
    public int Line { get; }

    /// <summary>Gets the 1-based column of the node in its source.</summary>
    public int Column { get; }
}

/// <summary>Literal text from the template.</summary>
internal sealed class MustacheTextNode(string text, int line, int column) : MustacheNode(line, column)
{
    public string Text { get; } = text;
}

/// <summary>A variable (<c>{{name}}</c>, <c>{{a.b}}</c>, <c>{{.}}</c>, <c>{{{name}}}</c>, <c>{{&amp;name}}</c>).</summary>
internal sealed class MustacheVariableNode(string name, string[] path, int line, int column) : MustacheNode(line, column)
{
    /// <summary>Gets the name as written.</summary>
    public string Name { get; } = name;

    /// <summary>Gets the dotted path split into segments; empty for <c>.</c>.</summary>
    public string[] Path { get; } = path;
}

/// <summary>A section (<c>{{#name}}..{{/name}}</c>) or an inverted section (<c>{{^name}}..{{/name}}</c>).</summary>
internal sealed class MustacheSectionNode(string name, string[] path, bool inverted, MustacheNode[] children, int line, int column) : MustacheNode(line, column)
{
    public string Name { get; } = name;

    public string[] Path { get; } = path;

    public bool Inverted { get; } = inverted;

    public MustacheNode[] Children { get; } = children;
}
