namespace LlmKit;

/// <summary>
/// Parses the mustache subset LlmKit's templates use: variables with dotted paths, sections and loops,
/// inverted sections, partials (expanded at compile time) and comments. Standalone section, comment and
/// partial tags (alone on their line) take their line with them, as the mustache spec says. Set-delimiter
/// tags and lambdas are not supported and are errors.
/// </summary>
internal static class MustacheParser
{
    private const int MaxPartialDepth = 8;

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <param name="text">The template text.</param>
    /// <param name="source">The source named in errors (a file path or a template description).</param>
    /// <param name="firstLine">The 1-based line of the text's first character in its source.</param>
    /// <param name="partials">The partials by name, or <see langword="null"/> for none.</param>
    /// <returns>The nodes.</returns>
    /// <exception cref="TemplateParseException">The text is not a valid template.</exception>
    public static MustacheNode[] Parse(string text, string source, int firstLine, IReadOnlyDictionary<string, string>? partials)
        => Parse(text, source, firstLine, partials, 0);

    private static MustacheNode[] Parse(string text, string source, int firstLine, IReadOnlyDictionary<string, string>? partials, int depth)
    {
        var root = new List<MustacheNode>();
        var stack = new Stack<(string Name, string[] Path, bool Inverted, List<MustacheNode> Outer, int Line, int Column)>();
        var current = root;
        int pos = 0;
        int line = firstLine;
        int lineStart = 0; // offset of the first character of `line`
        int scanned = 0;   // offsets before this have been counted into `line`

        void Advance(int to)
        {
            for (int i = scanned; i < to; i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                    lineStart = i + 1;
                }
            }

            scanned = Math.Max(scanned, to);
        }

        void AddText(int from, int to)
        {
            if (to > from)
            {
                int foreign = ForeignSyntax(text, from, to);
                if (foreign >= 0)
                {
                    Advance(foreign);
                    throw new TemplateParseException(source, line, foreign - lineStart + 1, $"'{text.AsSpan(foreign, 2)}' is Jinja2/Liquid syntax, but this template's engine is mustache; write mustache ('{{{{#items}}}}...{{{{/items}}}}', '{{{{^x}}}}...{{{{/x}}}}', '{{{{! comment }}}}'), or declare the template as jinja2 or liquid (in a .prompty file: 'template: jinja2').");
                }

                Advance(from);
                current.Add(new MustacheTextNode(text[from..to], line, from - lineStart + 1));
            }
        }

        while (pos < text.Length)
        {
            int open = text.IndexOf("{{", pos, StringComparison.Ordinal);
            if (open < 0)
            {
                AddText(pos, text.Length);
                break;
            }

            Advance(open);
            int tagLine = line;
            int tagColumn = open - lineStart + 1;
            bool triple = open + 2 < text.Length && text[open + 2] == '{';
            int contentStart = open + (triple ? 3 : 2);
            string closer = triple ? "}}}" : "}}";
            int close = text.IndexOf(closer, contentStart, StringComparison.Ordinal);
            int nextOpen = text.IndexOf("{{", contentStart, StringComparison.Ordinal);
            if (close < 0 || (nextOpen >= 0 && nextOpen < close && !triple))
            {
                throw new TemplateParseException(source, tagLine, tagColumn, $"the tag opened here is not closed with '{closer}'. Close it, or write a literal '{{{{' some other way.");
            }

            string content = text[contentStart..close].Trim();
            int tagEnd = close + closer.Length;
            char kind = triple ? '&' : content.Length > 0 ? content[0] : '\0';
            if (kind is '#' or '^' or '/' or '!' or '>')
            {
                string name = kind == '!' ? string.Empty : content[1..].Trim();
                int cut = pos;
                int resume = tagEnd;
                if (!(kind == '>' && name == LiquidTranslator.PersonaPartial) && IsStandalone(text, pos, open, tagEnd, out int lineBegin, out int lineEnd))
                {
                    cut = lineBegin;
                    resume = lineEnd;
                }
                else
                {
                    cut = open;
                }

                AddText(pos, cut);
                switch (kind)
                {
                    case '#':
                    case '^':
                        stack.Push((name, ParsePath(name, source, tagLine, tagColumn, section: true), kind == '^', current, tagLine, tagColumn));
                        current = [];
                        break;
                    case '/':
                        if (stack.Count == 0)
                        {
                            throw new TemplateParseException(source, tagLine, tagColumn, $"'{{{{/{name}}}}}' closes a section that was never opened.");
                        }

                        var section = stack.Pop();
                        if (!string.Equals(section.Name, name, StringComparison.Ordinal))
                        {
                            throw new TemplateParseException(source, tagLine, tagColumn, $"'{{{{/{name}}}}}' does not match the open section '{section.Name}' from line {section.Line}, column {section.Column}. Close '{section.Name}' first.");
                        }

                        var node = new MustacheSectionNode(section.Name, section.Path, section.Inverted, [.. current], section.Line, section.Column);
                        current = section.Outer;
                        current.Add(node);
                        break;
                    case '>':
                        if (name.Length == 0)
                        {
                            throw new TemplateParseException(source, tagLine, tagColumn, "a partial tag needs a name: '{{>name}}'.");
                        }

                        if (name == LiquidTranslator.PersonaPartial && (partials is null || !partials.ContainsKey(name) || ReferenceEquals(partials[name], string.Empty)))
                        {
                            // The persona is chosen per call, so its partial is a value read when rendering.
                            current.Add(new MustacheVariableNode(name, [LiquidTranslator.PersonaVariable], tagLine, tagColumn));
                            break;
                        }

                        if (partials is null || !partials.TryGetValue(name, out string? partial))
                        {
                            string known = partials is { Count: > 0 } ? string.Join(", ", partials.Keys.Order(StringComparer.Ordinal)) : "none";
                            throw new TemplateParseException(source, tagLine, tagColumn, $"unknown partial '{name}'. Register it with AddPromptPartial (known partials: {known}).");
                        }

                        if (depth >= MaxPartialDepth)
                        {
                            throw new TemplateParseException(source, tagLine, tagColumn, $"partial '{name}' nests more than {MaxPartialDepth} levels deep; a partial probably includes itself.");
                        }

                        current.AddRange(Parse(partial, $"partial '{name}'", 1, partials, depth + 1));
                        break;
                    default:
                        break; // comment
                }

                pos = resume;
                Advance(Math.Min(pos, text.Length));
                continue;
            }

            if (kind == '=')
            {
                throw new TemplateParseException(source, tagLine, tagColumn, "set-delimiter tags ('{{=<% %>=}}') are not supported; keep the '{{' '}}' delimiters.");
            }

            AddText(pos, open);
            string variable = kind == '&' && !triple ? content[1..].Trim() : content;
            if (triple && text.Length > tagEnd - 1 && content.EndsWith('}'))
            {
                variable = variable.TrimEnd('}').Trim();
            }

            current.Add(new MustacheVariableNode(variable, ParsePath(variable, source, tagLine, tagColumn, section: false), tagLine, tagColumn));
            pos = tagEnd;
        }

        if (stack.Count > 0)
        {
            var open = stack.Peek();
            throw new TemplateParseException(source, open.Line, open.Column, $"section '{open.Name}' is never closed; add '{{{{/{open.Name}}}}}' in the same message.");
        }

        return [.. root];
    }

    /// <summary>Returns the offset of the first Jinja/Liquid tag opener ('{%', or '{#' before a blank or '-') in the range, or -1.</summary>
    private static int ForeignSyntax(string text, int from, int to)
    {
        for (int i = text.IndexOf('{', from); i >= 0 && i + 1 < to; i = text.IndexOf('{', i + 1))
        {
            char next = text[i + 1];
            if (next == '%' || (next == '#' && i + 2 < text.Length && (char.IsWhiteSpace(text[i + 2]) || text[i + 2] == '-')))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsStandalone(string text, int pos, int open, int tagEnd, out int lineBegin, out int lineEnd)
    {
        lineBegin = open;
        while (lineBegin > pos && text[lineBegin - 1] is ' ' or '\t')
        {
            lineBegin--;
        }

        lineEnd = tagEnd;
        // Standalone only when nothing but blanks precede the tag on its line (and no earlier tag is on it).
        if (!(lineBegin == 0 || text[lineBegin - 1] == '\n') || (lineBegin == pos && pos > 0 && text[pos - 1] != '\n'))
        {
            return false;
        }

        while (lineEnd < text.Length && text[lineEnd] is ' ' or '\t')
        {
            lineEnd++;
        }

        if (lineEnd == text.Length)
        {
            return true;
        }

        if (text[lineEnd] == '\n')
        {
            lineEnd++;
            return true;
        }

        if (text[lineEnd] == '\r' && lineEnd + 1 < text.Length && text[lineEnd + 1] == '\n')
        {
            lineEnd += 2;
            return true;
        }

        return false;
    }

    private static string[] ParsePath(string name, string source, int line, int column, bool section)
    {
        if (name == ".")
        {
            return [];
        }

        if (name.Length == 0)
        {
            throw new TemplateParseException(source, line, column, section ? "a section tag needs a name: '{{#name}}'." : "an empty tag '{{}}'; write a variable name inside.");
        }

        string[] path = name.Split('.');
        foreach (string segment in path)
        {
            if (!IsName(segment))
            {
                string hint = name.Contains('|', StringComparison.Ordinal) || name.Contains('(', StringComparison.Ordinal)
                    ? " Filters and expressions (Jinja or Handlebars syntax) are not supported; use mustache variables and sections."
                    : " Names use letters, digits, '_' and '-', with '.' between path segments.";
                throw new TemplateParseException(source, line, column, $"'{name}' is not a valid variable name.{hint}");
            }
        }

        return path;
    }

    private static bool IsName(string segment)
    {
        if (segment.Length == 0)
        {
            return false;
        }

        foreach (char c in segment)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
