using System.Collections;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace LlmKit;

/// <summary>
/// One message body of a Jinja2 or Liquid template, translated (<see cref="LiquidTranslator"/>), parsed by Fluid once
/// and rendered with a fresh context per call. Values are written as text: nothing in a value is parsed as a template.
/// </summary>
internal sealed partial class FluidMessageTemplate
{
    private static readonly FluidParser Parser = new(new FluidParserOptions { AllowFunctions = false, AllowParentheses = false });

    private static readonly TemplateOptions LiquidOptions = Build(jinja: false);

    private static readonly TemplateOptions JinjaOptions = Build(jinja: true);

    private readonly IFluidTemplate _template;
    private readonly TemplateOptions _options;

    private FluidMessageTemplate(IFluidTemplate template, TemplateOptions options, bool usesPersona)
    {
        _template = template;
        _options = options;
        UsesPersona = usesPersona;
    }

    /// <summary>Gets a value indicating whether the body includes the persona partial.</summary>
    public bool UsesPersona { get; }

    /// <summary>Translates and parses a message body; throws <see cref="TemplateParseException"/> with the source, line and column of the first problem.</summary>
    public static FluidMessageTemplate Compile(string text, TemplateEngine engine, string source, int firstLine, IReadOnlyDictionary<string, string>? partials)
    {
        string liquid = LiquidTranslator.Translate(text, engine, source, firstLine, partials, out var map);
        if (!Parser.TryParse(liquid, out var template, out string? error))
        {
            var match = ErrorPosition().Match(error ?? string.Empty);
            string problem = (error ?? "the template cannot be parsed").Split('\n')[0].Trim();
            problem = ErrorPosition().Replace(problem, string.Empty).Trim();
            int line = 0;
            int column = 0;
            if (match.Success)
            {
                int offset = OffsetOf(liquid, int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
                (line, column) = map.Position(map.ToOriginal(offset));
            }

            throw new TemplateParseException(source, line, column, $"{problem} ({(engine == TemplateEngine.Jinja2 ? "jinja2" : "liquid")} syntax).");
        }

        var options = engine == TemplateEngine.Jinja2 ? JinjaOptions : LiquidOptions;
        var checker = new FilterChecker(options);
        checker.VisitTemplate(template);
        if (checker.Unknown is { } unknown)
        {
            string written = engine == TemplateEngine.Jinja2 ? LiquidTranslator.JinjaFilterNames.FirstOrDefault(p => p.Value == unknown).Key ?? unknown : unknown;
            var at = Regex.Match(text, @"\|\s*" + Regex.Escape(written) + @"\b");
            var (line, column) = at.Success ? LiquidTranslator.PositionOf(text, at.Index, firstLine) : (0, 0);
            var known = options.Filters.Select(f => f.Key).Where(k => !k.Contains('_', StringComparison.Ordinal) || k is "strip_html" or "url_encode").Order(StringComparer.Ordinal);
            throw new TemplateParseException(source, line, column, $"unknown filter '{written}'. Filters in common use: {string.Join(", ", known.Take(60))}.");
        }

        return new FluidMessageTemplate(template, options, liquid.Contains(LiquidTranslator.PersonaVariable, StringComparison.Ordinal));
    }

    /// <summary>Renders the body with the given values (input name to value) into <paramref name="buffer"/>.</summary>
    public void Render(RenderBuffer buffer, IReadOnlyDictionary<string, object?> values, string? persona)
    {
        var context = new TemplateContext(_options);
        foreach (var pair in values)
        {
            context.SetValue(pair.Key, pair.Value is null ? NilValue.Instance : ToFluid(pair.Value));
        }

        if (UsesPersona)
        {
            context.SetValue(LiquidTranslator.PersonaVariable, StringValue.Create(persona ?? string.Empty));
        }

        buffer.Append(_template.Render(context, NullEncoder.Default));
    }

    private static FluidValue ToFluid(object value) => value switch
    {
        string s => StringValue.Create(s),
        _ => FluidValue.Create(ToPlain(value), LiquidOptions),
    };

    /// <summary>Turns JSON elements and read-only dictionaries into the dictionaries and lists Fluid reads.</summary>
    private static object? ToPlain(object? value) => value switch
    {
        JsonElement e => FromJson(e),
        IReadOnlyDictionary<string, object?> map when value is not IDictionary<string, object?> => map.ToDictionary(p => p.Key, p => ToPlain(p.Value), StringComparer.Ordinal),
        _ => value,
    };

    private static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetDecimal(out decimal d) ? d : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal),
        _ => null,
    };

    private static int OffsetOf(string text, int line, int column)
    {
        int offset = 0;
        for (int l = 1; l < line && offset >= 0; l++)
        {
            offset = text.IndexOf('\n', offset) + 1;
            if (offset == 0)
            {
                return text.Length;
            }
        }

        return Math.Min(text.Length, offset + Math.Max(0, column - 1));
    }

    private static TemplateOptions Build(bool jinja)
    {
        var builder = new TemplateOptionsBuilder().WithStrictFilters(true).WithCultureInfo(CultureInfo.InvariantCulture).WithMaxSteps(1_000_000);
        if (jinja)
        {
            builder.AddFilter("title", static (input, _, context) => new ValueTask<FluidValue>(StringValue.Create(Title(input.ToStringValue(context)))));
            builder.AddFilter("int", static (input, _, context) => new ValueTask<FluidValue>(NumberValue.Create(decimal.Truncate(input.ToNumberValue(context)))));
            builder.AddFilter("float", static (input, _, context) => new ValueTask<FluidValue>(NumberValue.Create(input.ToNumberValue(context))));
            builder.AddFilter("string", static (input, _, context) => new ValueTask<FluidValue>(StringValue.Create(input.ToStringValue(context))));
            builder.AddFilter("safe", static (input, _, _) => new ValueTask<FluidValue>(input));
            builder.AddFilter("wordcount", static (input, _, context) => new ValueTask<FluidValue>(NumberValue.Create(input.ToStringValue(context).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length)));
        }

        return builder.Build();
    }

    private static string Title(string text)
    {
        var chars = text.ToCharArray();
        bool start = true;
        for (int i = 0; i < chars.Length; i++)
        {
            chars[i] = start ? char.ToUpperInvariant(chars[i]) : char.ToLowerInvariant(chars[i]);
            start = !char.IsLetterOrDigit(chars[i]);
        }

        return new string(chars);
    }

    [GeneratedRegex(@"at \((\d+):(\d+)\)")]
    private static partial Regex ErrorPosition();

    /// <summary>Finds the first filter the options do not define.</summary>
    private sealed class FilterChecker(TemplateOptions options) : AstVisitor
    {
        public string? Unknown { get; private set; }

        public override Expression Visit(Expression expression)
        {
            if (expression is FilterExpression filter && Unknown is null && !options.Filters.TryGetValue(filter.Name, out _))
            {
                Unknown = filter.Name;
            }

            return base.Visit(expression);
        }
    }
}
