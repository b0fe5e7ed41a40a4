using System.Text;

namespace LlmKit;

/// <summary>
/// Turns a message body written in Jinja2 (or Liquid) into the Liquid that Fluid parses, refusing what the other
/// engines write (mustache sections in either, Liquid tags in Jinja2, Jinja syntax in Liquid) and the Jinja
/// constructs Liquid cannot express, each with the construct's line and column in the original text.
/// </summary>
/// <remarks>
/// Jinja2 is translated token by token: <c>elif</c> to <c>elsif</c>, <c>{% if not x %}</c> to <c>{% unless x %}</c>,
/// <c>{% set x = y %}</c> to <c>{% assign x = y %}</c>, <c>loop.*</c> to <c>forloop.*</c>, <c>| f(a, b)</c> to
/// <c>| f: a, b</c> (with Jinja's filter names mapped to Liquid's), <c>True</c>/<c>False</c>/<c>None</c> to
/// <c>true</c>/<c>false</c>/<c>nil</c>, <c>x is [not] defined</c>/<c>none</c> to a <c>nil</c> comparison and
/// <c>{# comments #}</c> dropped (their line breaks kept, so every later line keeps its number).
/// </remarks>
internal static class LiquidTranslator
{
    /// <summary>The variable the persona partial (<c>{% include "persona" %}</c>, <c>{{&gt; persona}}</c>) reads at render time.</summary>
    public const string PersonaVariable = "llmkit_persona_";

    /// <summary>The name of the persona partial.</summary>
    public const string PersonaPartial = "persona";

    private const int MaxPartialDepth = 8;

    /// <summary>Jinja2 filter names that Liquid spells differently.</summary>
    public static readonly IReadOnlyDictionary<string, string> JinjaFilterNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["length"] = "size",
        ["count"] = "size",
        ["lower"] = "downcase",
        ["upper"] = "upcase",
        ["trim"] = "strip",
        ["tojson"] = "json",
        ["unique"] = "uniq",
        ["striptags"] = "strip_html",
        ["e"] = "escape",
        ["d"] = "default",
    };

    private static readonly HashSet<string> LiquidOnlyTags = new(StringComparer.Ordinal)
    {
        "assign", "unless", "endunless", "elsif", "case", "when", "endcase", "capture", "endcapture", "cycle", "tablerow", "endtablerow",
        "increment", "decrement", "liquid", "echo", "render", "comment", "endcomment",
    };

    private static readonly HashSet<string> JinjaOnlyTags = new(StringComparer.Ordinal)
    {
        "elif", "set", "endset", "macro", "endmacro", "call", "endcall", "filter", "endfilter", "block", "endblock", "extends", "import", "from",
        "with", "endwith", "autoescape", "endautoescape", "do", "trans", "endtrans",
    };

    /// <summary>Translates <paramref name="text"/>; throws <see cref="TemplateParseException"/> at the first construct that is refused.</summary>
    /// <param name="text">The message body.</param>
    /// <param name="engine">Jinja2 or Liquid.</param>
    /// <param name="source">The source named in errors.</param>
    /// <param name="firstLine">The 1-based line of the body's first character in its source.</param>
    /// <param name="partials">The registered partials, or <see langword="null"/> when they are not known yet (checking a file): any name is accepted then.</param>
    /// <param name="map">Receives the anchors that map positions in the result back to positions in <paramref name="text"/>.</param>
    /// <returns>The Liquid text.</returns>
    public static string Translate(string text, TemplateEngine engine, string source, int firstLine, IReadOnlyDictionary<string, string>? partials, out PositionMap map)
    {
        var output = new StringBuilder(text.Length + 16);
        map = new PositionMap(text, firstLine);
        new Scanner(text, engine, source, firstLine, partials, output, map, 0).Run();
        return output.ToString();
    }

    /// <summary>Anchors from offsets in the translated text to offsets in the original text.</summary>
    internal sealed class PositionMap(string original, int firstLine)
    {
        private readonly List<(int Out, int In)> _anchors = [(0, 0)];

        public void Add(int output, int input) => _anchors.Add((output, input));

        /// <summary>Returns the original offset of a translated offset.</summary>
        public int ToOriginal(int output)
        {
            var best = _anchors[0];
            foreach (var anchor in _anchors)
            {
                if (anchor.Out <= output && anchor.Out >= best.Out)
                {
                    best = anchor;
                }
            }

            return Math.Min(original.Length, best.In + (output - best.Out));
        }

        /// <summary>Returns the 1-based line and column in the source of an offset in the original text.</summary>
        public (int Line, int Column) Position(int offset) => PositionOf(original, offset, firstLine);
    }

    public static (int Line, int Column) PositionOf(string text, int offset, int firstLine)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        int line = firstLine + text.AsSpan(0, offset).Count('\n');
        int lineStart = offset == 0 ? 0 : text.LastIndexOf('\n', offset - 1) + 1;
        return (line, offset - lineStart + 1);
    }

    private sealed class Scanner(string text, TemplateEngine engine, string source, int firstLine, IReadOnlyDictionary<string, string>? partials, StringBuilder output, PositionMap map, int depth)
    {
        private readonly Stack<string> _blocks = new();

        private string EngineName => engine == TemplateEngine.Jinja2 ? "jinja2" : "liquid";

        public void Run()
        {
            int pos = 0;
            while (pos < text.Length)
            {
                int open = NextOpen(pos);
                if (open < 0)
                {
                    output.Append(text, pos, text.Length - pos);
                    break;
                }

                output.Append(text, pos, open - pos);
                Anchor(open);
                char kind = text[open + 1];
                pos = kind switch
                {
                    '#' => Comment(open),
                    '{' => Output(open),
                    _ => Tag(open),
                };
                Anchor(pos);
            }
        }

        private void Anchor(int input)
        {
            if (depth == 0)
            {
                map.Add(output.Length, input);
            }
        }

        private int NextOpen(int from)
        {
            for (int i = text.IndexOf('{', from); i >= 0 && i + 1 < text.Length; i = text.IndexOf('{', i + 1))
            {
                if (text[i + 1] is '{' or '%' or '#')
                {
                    return i;
                }
            }

            return -1;
        }

        private TemplateParseException Error(int offset, string problem)
        {
            var (line, column) = PositionOf(text, offset, firstLine);
            return new TemplateParseException(source, line, column, problem);
        }

        private TemplateParseException Refuse(int offset, string construct, string hint)
            => Error(offset, $"the Jinja construct {construct} has no Liquid equivalent, so LlmKit cannot render it; {hint}");

        private int Comment(int open)
        {
            if (engine == TemplateEngine.Liquid)
            {
                throw Error(open, "'{#' starts a Jinja comment, but this template's engine is liquid; write '{% comment %}...{% endcomment %}', or declare the template as jinja2.");
            }

            int close = text.IndexOf("#}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw Error(open, "the comment opened here is never closed with '#}'.");
            }

            if (text[open + 2] == '-')
            {
                TrimOutputEnd();
            }

            int end = close + 2;
            output.Append('\n', text.AsSpan(open, close - open).Count('\n'));
            if (text[close - 1] == '-' && close - 1 > open + 1)
            {
                while (end < text.Length && char.IsWhiteSpace(text[end]))
                {
                    end++;
                }
            }

            return end;
        }

        private void TrimOutputEnd()
        {
            int length = output.Length;
            while (length > 0 && char.IsWhiteSpace(output[length - 1]))
            {
                length--;
            }

            output.Length = length;
        }

        private int Close(int open, string closer)
        {
            char quote = '\0';
            for (int i = open + 2; i < text.Length - 1; i++)
            {
                char c = text[i];
                if (quote != '\0')
                {
                    quote = c == quote ? '\0' : quote;
                }
                else if (c is '"' or '\'')
                {
                    quote = c;
                }
                else if (c == closer[0] && text[i + 1] == closer[1])
                {
                    return i;
                }
                else if (c == '{' && text[i + 1] is '{' or '%')
                {
                    break;
                }
            }

            throw Error(open, $"the tag opened here is not closed with '{closer}'. Close it, or write the literal text inside {{% raw %}}...{{% endraw %}}.");
        }

        private int Output(int open)
        {
            int start = open + 2;
            int first = start;
            while (first < text.Length && text[first] is ' ' or '\t')
            {
                first++;
            }

            if (first < text.Length && text[first] is '#' or '^' or '/' or '!' or '&' or '{' or '>' or '=')
            {
                string hint = engine == TemplateEngine.Jinja2
                    ? "write '{% for item in items %}...{% endfor %}', '{% if x %}...{% endif %}', '{% include \"name\" %}' or '{# comment #}'"
                    : "write '{% for item in items %}...{% endfor %}', '{% if x %}...{% endif %}', '{% include \"name\" %}' or '{% comment %}...{% endcomment %}'";
                throw Error(open, $"'{{{{{text[first]}' is mustache syntax, but this template's engine is {EngineName}; {hint}, or declare the template as mustache.");
            }

            int close = Close(open, "}}");
            string inner = text[start..close];
            bool trimLeft = inner.StartsWith('-');
            bool trimRight = inner.Length > 1 && inner.EndsWith('-');
            string body = inner[(trimLeft ? 1 : 0)..(inner.Length - (trimRight ? 1 : 0))];
            int bodyStart = start + (trimLeft ? 1 : 0);
            if (body.Trim().Length == 0)
            {
                throw Error(open, "an empty '{{ }}'; write a variable name inside.");
            }

            output.Append(trimLeft ? "{{-" : "{{");
            output.Append(engine == TemplateEngine.Jinja2 ? Expression(body, bodyStart) : CheckLiquid(body, bodyStart));
            output.Append(trimRight ? "-}}" : "}}");
            return close + 2;
        }

        private int Tag(int open)
        {
            int close = Close(open, "%}");
            int start = open + 2;
            string inner = text[start..close];
            bool trimLeft = inner.StartsWith('-');
            bool trimRight = inner.EndsWith('-') && inner.Length > 1;
            string body = inner[(trimLeft ? 1 : 0)..(inner.Length - (trimRight ? 1 : 0))];
            int bodyStart = start + (trimLeft ? 1 : 0);
            int nameStart = bodyStart;
            while (nameStart < close && char.IsWhiteSpace(text[nameStart]))
            {
                nameStart++;
            }

            int nameEnd = nameStart;
            while (nameEnd < close && (char.IsAsciiLetterOrDigit(text[nameEnd]) || text[nameEnd] == '_'))
            {
                nameEnd++;
            }

            string name = text[nameStart..nameEnd];
            string rest = text[nameEnd..(close - (trimRight ? 1 : 0))];
            int restStart = nameEnd;
            string l = trimLeft ? "{%-" : "{%";
            string r = trimRight ? "-%}" : "%}";

            if (name == "raw")
            {
                return Raw(open, close);
            }

            if (name == "include")
            {
                return Include(open, close, rest.Trim(), l, r);
            }

            if (name.Length == 0)
            {
                throw Error(open, "a '{%' tag needs a name, such as 'if', 'for' or 'endif'.");
            }

            if (engine == TemplateEngine.Liquid)
            {
                if (JinjaOnlyTags.Contains(name))
                {
                    throw Error(nameStart, $"'{{% {name} %}}' is Jinja syntax, but this template's engine is liquid; write the Liquid form ({LiquidFormOf(name)}), or declare the template as jinja2.");
                }

                output.Append(l).Append(body).Append(r);
                CheckLiquid(body, bodyStart);
                return close + 2;
            }

            if (LiquidOnlyTags.Contains(name))
            {
                throw Error(nameStart, $"'{{% {name} %}}' is Liquid syntax, but this template's engine is jinja2; write the Jinja form ({JinjaFormOf(name)}), or declare the template as liquid.");
            }

            string translated;
            switch (name)
            {
                case "if":
                    translated = If(rest, restStart);
                    break;
                case "elif":
                    if (_blocks.TryPeek(out var block) && block == "unless")
                    {
                        throw Refuse(nameStart, "'{% elif %}' after '{% if not ... %}'", "write the condition without 'not' (for example 'x == false'), or put the branches in separate '{% if %}' blocks.");
                    }

                    translated = "elsif" + Expression(rest, restStart, condition: true);
                    break;
                case "else":
                case "break":
                case "continue":
                    translated = name + rest;
                    break;
                case "endif":
                    translated = _blocks.TryPop(out var ended) && ended == "unless" ? "endunless" + rest : "endif" + rest;
                    break;
                case "for":
                    translated = For(rest, restStart);
                    _blocks.Push("for");
                    break;
                case "endfor":
                    _blocks.TryPop(out _);
                    translated = "endfor" + rest;
                    break;
                case "set":
                    translated = Set(rest, restStart, nameStart);
                    break;
                default:
                    if (JinjaOnlyTags.Contains(name))
                    {
                        throw Refuse(nameStart, $"'{{% {name} %}}'", $"{JinjaHint(name)} (the README's template section lists the differences).");
                    }

                    throw Error(nameStart, $"unknown tag '{{% {name} %}}'; jinja2 templates in LlmKit use if, elif, else, endif, for, endfor, set, include, raw, break and continue.");
            }

            output.Append(l).Append(' ').Append(translated.Trim()).Append(' ').Append(r);
            return close + 2;
        }

        private static string LiquidFormOf(string jinja) => jinja switch
        {
            "elif" => "'{% elsif %}'",
            "set" => "'{% assign x = value %}'",
            _ => "Liquid has no such tag",
        };

        private static string JinjaFormOf(string liquid) => liquid switch
        {
            "assign" => "'{% set x = value %}'",
            "unless" or "endunless" => "'{% if not x %}...{% endif %}'",
            "elsif" => "'{% elif %}'",
            "comment" or "endcomment" => "'{# comment #}'",
            _ => "Jinja2 has no such tag in LlmKit",
        };

        private static string JinjaHint(string name) => name switch
        {
            "macro" or "endmacro" or "call" or "endcall" => "repeat the text, or pass the repeated part in as an input",
            "extends" or "block" or "endblock" or "import" or "from" => "template inheritance and imports are not supported; use a partial with '{% include \"name\" %}'",
            "filter" or "endfilter" => "apply the filter to each value: '{{ value | filter }}'",
            "set" or "endset" => "assign a value with '{% set x = value %}'",
            _ => "rewrite it with if, for, set and filters",
        };

        private string If(string rest, int restStart)
        {
            var tokens = Tokenize(rest, restStart);
            int first = tokens.FindIndex(t => t.Kind != TokenKind.Space);
            if (first >= 0 && tokens[first] is { Kind: TokenKind.Name, Text: "not" })
            {
                if (tokens.Any(t => t.Kind == TokenKind.Name && t.Text is "and" or "or" or "not" && t.Offset != tokens[first].Offset))
                {
                    throw Refuse(tokens[first].Offset, "'not' combined with 'and'/'or'", "Liquid has no 'not'; write the condition with '==', '!=' or an '{% else %}' branch.");
                }

                _blocks.Push("unless");
                return "unless" + Expression(rest[(tokens[first].Offset - restStart + 3)..], tokens[first].Offset + 3, condition: true);
            }

            _blocks.Push("if");
            return "if" + Expression(rest, restStart, condition: true);
        }

        private string For(string rest, int restStart)
        {
            var tokens = Tokenize(rest, restStart).Where(t => t.Kind != TokenKind.Space).ToList();
            if (tokens.Count < 3 || tokens[0].Kind != TokenKind.Name || tokens[1] is not { Kind: TokenKind.Name, Text: "in" })
            {
                if (tokens.Count > 1 && tokens[1].Text == ",")
                {
                    throw Refuse(tokens[1].Offset, "'{% for a, b in ... %}' (unpacking)", "loop over the items and use their fields: '{% for item in items %}{{ item.key }}'.");
                }

                throw Error(restStart, "a for loop reads '{% for item in items %}'.");
            }

            foreach (var token in tokens.Skip(2))
            {
                if (token is { Kind: TokenKind.Name, Text: "if" })
                {
                    throw Refuse(token.Offset, "'{% for ... if ... %}' (a filtered loop)", "put an '{% if %}' inside the loop.");
                }

                if (token is { Kind: TokenKind.Name, Text: "recursive" })
                {
                    throw Refuse(token.Offset, "'recursive' loops", "flatten the data before rendering.");
                }

                if (token.Text == "|")
                {
                    throw Refuse(token.Offset, "a filter on a loop's list", "give the list in the order and shape the loop needs.");
                }
            }

            int inEnd = tokens[1].Offset + 2 - restStart;
            return "for " + tokens[0].Text + " in" + Expression(rest[inEnd..], restStart + inEnd);
        }

        private string Set(string rest, int restStart, int tagStart)
        {
            int equals = rest.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                throw Refuse(tagStart, "'{% set x %}...{% endset %}' (a block assignment)", "assign a value with '{% set x = value %}'.");
            }

            string name = rest[..equals].Trim();
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw Refuse(restStart, $"'{{% set {name} = ... %}}'", "assign one name: '{% set x = value %}'.");
            }

            return "assign " + name + " =" + Expression(rest[(equals + 1)..], restStart + equals + 1);
        }

        private int Raw(int open, int close)
        {
            int search = close + 2;
            while (true)
            {
                int next = text.IndexOf("{%", search, StringComparison.Ordinal);
                if (next < 0)
                {
                    throw Error(open, "'{% raw %}' is never closed with '{% endraw %}'.");
                }

                int end = text.IndexOf("%}", next + 2, StringComparison.Ordinal);
                if (end > 0 && text.AsSpan(next + 2, end - next - 2).Trim().Trim('-').Trim().SequenceEqual("endraw"))
                {
                    output.Append(text, open, end + 2 - open);
                    return end + 2;
                }

                search = next + 2;
            }
        }

        private int Include(int open, int close, string argument, string l, string r)
        {
            string name = argument.Length >= 2 && argument[0] is '"' or '\'' && argument[^1] == argument[0] ? argument[1..^1] : argument;
            if (name.Length == 0 || name.Contains(' ', StringComparison.Ordinal))
            {
                throw Error(open, "an include names one partial in quotes: '{% include \"name\" %}'.");
            }

            if (name == PersonaPartial)
            {
                output.Append(l.Length == 3 ? "{{-" : "{{").Append(' ').Append(PersonaVariable).Append(' ').Append(r.Length == 3 ? "-}}" : "}}");
                return close + 2;
            }

            if (partials is null)
            {
                // Checking a file: partials are registered with the service, so any name is accepted here.
                return close + 2;
            }

            if (!partials.TryGetValue(name, out string? partial))
            {
                string known = partials.Count > 0 ? string.Join(", ", partials.Keys.Order(StringComparer.Ordinal)) : "none";
                throw Error(open, $"unknown partial '{name}'. Register it with AddPromptPartial (known partials: {known}, and 'persona').");
            }

            if (depth >= MaxPartialDepth)
            {
                throw Error(open, $"partial '{name}' nests more than {MaxPartialDepth} levels deep; a partial probably includes itself.");
            }

            new Scanner(partial, engine, $"partial '{name}'", 1, partials, output, map, depth + 1).Run();
            return close + 2;
        }

        private string CheckLiquid(string inner, int start)
        {
            var tokens = Tokenize(inner, start);
            for (int i = 0; i < tokens.Count; i++)
            {
                var token = tokens[i];
                if (token is { Kind: TokenKind.Name, Text: "loop" } && Next(tokens, i) is { Text: "." })
                {
                    throw Error(token.Offset, "'loop' is Jinja's loop variable, but this template's engine is liquid; write 'forloop', or declare the template as jinja2.");
                }

                if (token.Text == "|" && NextIndex(tokens, i) is int f and >= 0 && NextIndex(tokens, f) is int p and >= 0 && tokens[p].Text == "(")
                {
                    throw Error(tokens[p].Offset, $"'{tokens[f].Text}(...)' is a Jinja filter call, but this template's engine is liquid; write '| {tokens[f].Text}: argument', or declare the template as jinja2.");
                }

                if (token.Text == "~")
                {
                    throw Error(token.Offset, "'~' is Jinja's string concatenation, but this template's engine is liquid; use the 'append' filter.");
                }
            }

            return inner;
        }

        /// <summary>Translates a Jinja expression (with its filters) to Liquid.</summary>
        private string Expression(string expression, int start, bool condition = false)
        {
            var tokens = Tokenize(expression, start);
            var result = new StringBuilder(expression.Length + 8);
            for (int i = 0; i < tokens.Count; i++)
            {
                var token = tokens[i];
                switch (token.Kind)
                {
                    case TokenKind.Space:
                    case TokenKind.String:
                    case TokenKind.Number:
                        result.Append(token.Text);
                        break;
                    case TokenKind.Name:
                        i = Name(tokens, i, result);
                        break;
                    default:
                        if (condition && token.Text == "|")
                        {
                            i = ConditionFilter(tokens, i, result);
                            break;
                        }

                        i = Symbol(tokens, i, result);
                        break;
                }
            }

            return result.ToString();
        }

        private int Name(List<Token> tokens, int i, StringBuilder result)
        {
            var token = tokens[i];
            var next = Next(tokens, i);
            switch (token.Text)
            {
                case "loop" when next is { Text: "." }:
                    if (NextIndex(tokens, NextIndex(tokens, i)) is int member and >= 0 && tokens[member].Text is "cycle" or "depth" or "depth0" or "previtem" or "nextitem" or "changed")
                    {
                        throw Refuse(tokens[member].Offset, $"'loop.{tokens[member].Text}'", "Liquid's forloop has index, index0, rindex, rindex0, first, last and length.");
                    }

                    result.Append("forloop");
                    return i;
                case "revindex" or "revindex0" when i > 0 && tokens[i - 1].Text == ".":
                    result.Append(token.Text == "revindex" ? "rindex" : "rindex0");
                    return i;
                case "True" or "true":
                    result.Append("true");
                    return i;
                case "False" or "false":
                    result.Append("false");
                    return i;
                case "None" or "none" when i == 0 || tokens[i - 1].Text != ".":
                    result.Append("nil");
                    return i;
                case "is":
                    return Test(tokens, i, result);
                case "not":
                    throw Refuse(token.Offset, "'not' inside an expression", "Liquid has no 'not'; use '{% if not x %}' as the whole condition, or compare with '==' / '!='.");
                case "if" or "else":
                    throw Refuse(token.Offset, "the inline conditional 'a if condition else b'", "use '{% if condition %}a{% else %}b{% endif %}'.");
                case "in":
                    throw Refuse(token.Offset, "the 'in' test", "Liquid writes 'list contains item' inside '{% if %}' — rewrite the condition, or pass a boolean input.");
                default:
                    if (next is { Text: "(" } && (i == 0 || tokens[i - 1].Text != "|"))
                    {
                        throw Refuse(next.Value.Offset, $"the call '{token.Text}(...)'", "functions and methods cannot be called; pass the value in as an input, or use a filter.");
                    }

                    result.Append(token.Text);
                    return i;
            }
        }

        private int Test(List<Token> tokens, int i, StringBuilder result)
        {
            int n = NextIndex(tokens, i);
            bool negated = n >= 0 && tokens[n].Text == "not";
            if (negated)
            {
                n = NextIndex(tokens, n);
            }

            string test = n >= 0 ? tokens[n].Text : string.Empty;
            bool isNil = test switch
            {
                "defined" => negated,
                "undefined" or "none" or "None" => !negated,
                _ => throw Refuse(tokens[i].Offset, $"the test 'is {test}'", "Liquid compares with '==' and '!='; 'is defined', 'is undefined' and 'is none' are translated."),
            };
            result.Append(isNil ? "== nil" : "!= nil");
            return n;
        }

        private int Symbol(List<Token> tokens, int i, StringBuilder result)
        {
            var token = tokens[i];
            switch (token.Text)
            {
                case "|":
                    return Filter(tokens, i, result);
                case "~":
                    throw Refuse(token.Offset, "string concatenation with '~'", "write the values next to each other: '{{ a }}{{ b }}'.");
                case "+" or "-" or "*" or "/" or "%" or "**" or "//":
                    throw Refuse(token.Offset, $"the arithmetic operator '{token.Text}'", "compute the value in code and pass it as an input.");
                case ":":
                    throw Error(token.Offset, "':' here is Liquid filter syntax ('| name: argument') or a slice, but this template's engine is jinja2; write '| name(argument)', or declare the template as liquid.");
                case "(":
                    throw Refuse(token.Offset, "parentheses in an expression", "split the condition into nested '{% if %}' blocks.");
                case "{" or "}":
                    throw Refuse(token.Offset, "dictionary literals", "pass the value in as an input.");
                default:
                    result.Append(token.Text);
                    return i;
            }
        }

        /// <summary>In a condition, <c>x | length</c> (or <c>count</c>) becomes <c>x.size</c>; Liquid has no other filters in conditions.</summary>
        private int ConditionFilter(List<Token> tokens, int i, StringBuilder result)
        {
            int n = NextIndex(tokens, i);
            if (n >= 0 && tokens[n].Text is "length" or "count" && Next(tokens, n) is not { Text: "(" })
            {
                int length = result.Length;
                while (length > 0 && char.IsWhiteSpace(result[length - 1]))
                {
                    length--;
                }

                result.Length = length;
                result.Append(".size");
                return n;
            }

            throw Refuse(tokens[i].Offset, "a filter inside a condition", "Liquid evaluates filters only in output; '| length' is translated, for others assign the filtered value first with '{% set x = value | filter %}'.");
        }

        private int Filter(List<Token> tokens, int i, StringBuilder result)
        {
            int n = NextIndex(tokens, i);
            if (n < 0 || tokens[n].Kind != TokenKind.Name)
            {
                throw Error(tokens[i].Offset, "'|' must be followed by a filter name.");
            }

            string name = tokens[n].Text;
            string mapped = JinjaFilterNames.TryGetValue(name, out string? liquid) ? liquid : name;
            result.Append("| ").Append(mapped);
            int p = NextIndex(tokens, n);
            if (p < 0 || tokens[p].Text != "(")
            {
                return n;
            }

            int level = 0;
            int end = p;
            for (; end < tokens.Count; end++)
            {
                level += tokens[end].Text switch { "(" => 1, ")" => -1, _ => 0 };
                if (level == 0)
                {
                    break;
                }
            }

            if (end == tokens.Count)
            {
                throw Error(tokens[p].Offset, $"the arguments of filter '{name}' are never closed with ')'.");
            }

            var arguments = tokens.GetRange(p + 1, end - p - 1);
            if (arguments.Any(t => t.Kind != TokenKind.Space))
            {
                foreach (var argument in arguments)
                {
                    if (argument.Kind == TokenKind.Name && NextIndex(tokens, tokens.IndexOf(argument)) is int eq and >= 0 && tokens[eq].Text == "=")
                    {
                        throw Refuse(argument.Offset, $"the keyword argument '{argument.Text}=' of filter '{name}'", "pass the arguments by position.");
                    }
                }

                int argumentStart = arguments[0].Offset;
                string argumentText = string.Concat(arguments.Select(a => a.Text));
                result.Append(": ").Append(Expression(argumentText, argumentStart).Trim());
            }

            return end;
        }

        private static Token? Next(List<Token> tokens, int i)
        {
            int n = NextIndex(tokens, i);
            return n >= 0 ? tokens[n] : null;
        }

        private static int NextIndex(List<Token> tokens, int i)
        {
            if (i < 0)
            {
                return -1;
            }

            for (int n = i + 1; n < tokens.Count; n++)
            {
                if (tokens[n].Kind != TokenKind.Space)
                {
                    return n;
                }
            }

            return -1;
        }

        private List<Token> Tokenize(string expression, int start)
        {
            var tokens = new List<Token>();
            int i = 0;
            while (i < expression.Length)
            {
                char c = expression[i];
                int from = i;
                TokenKind kind;
                if (char.IsWhiteSpace(c))
                {
                    while (i < expression.Length && char.IsWhiteSpace(expression[i]))
                    {
                        i++;
                    }

                    kind = TokenKind.Space;
                }
                else if (c is '"' or '\'')
                {
                    int close = expression.IndexOf(c, i + 1);
                    if (close < 0)
                    {
                        throw Error(start + i, "the string started here is never closed.");
                    }

                    i = close + 1;
                    kind = TokenKind.String;
                }
                else if (char.IsAsciiDigit(c))
                {
                    while (i < expression.Length && (char.IsAsciiDigit(expression[i]) || expression[i] == '.'))
                    {
                        i++;
                    }

                    kind = TokenKind.Number;
                }
                else if (char.IsAsciiLetter(c) || c == '_')
                {
                    // '_' belongs to a name in both engines; '-' only in Liquid, and only before a letter. The first
                    // character (a letter or '_') is always consumed, so every token is at least one character long.
                    i++;
                    while (i < expression.Length
                        && (char.IsAsciiLetterOrDigit(expression[i])
                            || expression[i] == '_'
                            || (expression[i] == '-' && engine == TemplateEngine.Liquid && i + 1 < expression.Length && char.IsAsciiLetter(expression[i + 1]))))
                    {
                        i++;
                    }

                    kind = TokenKind.Name;
                }
                else
                {
                    i++;
                    if (i < expression.Length && ((c is '=' or '!' or '<' or '>' && expression[i] == '=') || (c is '*' or '/' && expression[i] == c)))
                    {
                        i++;
                    }

                    kind = TokenKind.Symbol;
                }

                tokens.Add(new Token(kind, expression[from..i], start + from));
            }

            return tokens;
        }
    }

    private enum TokenKind
    {
        Space,
        Name,
        String,
        Number,
        Symbol,
    }

    private readonly record struct Token(TokenKind Kind, string Text, int Offset);
}
