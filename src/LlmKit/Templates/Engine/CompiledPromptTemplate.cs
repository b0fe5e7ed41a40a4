using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>The parsed messages of one template version, reused for every render.</summary>
internal sealed partial class CompiledPromptTemplate(IReadOnlyList<TemplateMessage> messages, ChatRole[] roles, MustacheNode[][] bodies, TemplateEngine engine = TemplateEngine.Mustache, FluidMessageTemplate?[]? fluidBodies = null, TemplateSegment[]? segments = null)
{
    /// <summary>Gets, for a template with thread or image inputs, what each body is (text, a thread slot or an image part); <see langword="null"/> when every body is a text message.</summary>
    public TemplateSegment[]? Segments { get; } = segments;

    /// <summary>Gets the engine the bodies were compiled for.</summary>
    public TemplateEngine Engine { get; } = engine;

    /// <summary>Gets the Jinja2/Liquid bodies, or <see langword="null"/> for a mustache template.</summary>
    public FluidMessageTemplate?[]? FluidBodies { get; } = fluidBodies;

    /// <summary>Gets the message list this was compiled from (compared by reference first on a cache hit).</summary>
    public IReadOnlyList<TemplateMessage> Messages { get; } = messages;

    public ChatRole[] Roles { get; } = roles;

    public MustacheNode[][] Bodies { get; } = bodies;

    /// <summary>Gets or sets the shared usage tags of a stored version (set on first render).</summary>
    public IReadOnlyDictionary<string, string>? VersionTags { get; set; }

    /// <summary>Gets or sets the shared request context of a stored version rendered without an ambient context or experiment (set on first render).</summary>
    public LlmRequestContext? VersionContext { get; set; }

    public static CompiledPromptTemplate Compile(PromptTemplate template, IReadOnlyDictionary<string, string>? partials)
    {
        var messages = template.Messages;
        if (messages is null || messages.Count == 0)
        {
            throw new TemplateParseException(Describe(template), 0, 0, "the template has no messages; give it at least one message with a role and text.");
        }

        var parts = Split(template, messages);
        var roles = new ChatRole[parts.Count];
        var bodies = new MustacheNode[parts.Count][];
        var fluid = template.Engine == TemplateEngine.Mustache ? null : new FluidMessageTemplate?[parts.Count];
        for (int i = 0; i < parts.Count; i++)
        {
            var (role, text, segment, index) = parts[i];
            roles[i] = role;
            bodies[i] = [];
            if (segment.Kind != TemplateSegmentKind.Text)
            {
                continue;
            }

            string source = $"{Describe(template)}, message {index + 1} ({role.Value})";
            if (fluid is null)
            {
                bodies[i] = MustacheParser.Parse(text, source, 1, partials);
            }
            else
            {
                fluid[i] = FluidMessageTemplate.Compile(text, template.Engine, source, 1, partials ?? new Dictionary<string, string>());
            }
        }

        bool plain = parts.All(p => p.Segment == TemplateSegment.Message);
        return new CompiledPromptTemplate(messages, roles, bodies, template.Engine, fluid, plain ? null : [.. parts.Select(p => p.Segment)]);
    }

    /// <summary>Splits messages at thread inputs written alone on a line and at image inputs, keeping everything else as one text body per message.</summary>
    private static List<(ChatRole Role, string Text, TemplateSegment Segment, int Index)> Split(PromptTemplate template, IReadOnlyList<TemplateMessage> messages)
    {
        var special = template.Inputs.Where(i => i.Type is TemplateInputType.Thread or TemplateInputType.Image).ToDictionary(i => i.Name, i => i.Type, StringComparer.Ordinal);
        var parts = new List<(ChatRole, string, TemplateSegment, int)>(messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            var message = messages[i] ?? throw new TemplateParseException(Describe(template), 0, 0, $"message {i + 1} is null.");
            string text = message.Template ?? string.Empty;
            if (special.Count == 0)
            {
                parts.Add((message.Role, text, TemplateSegment.Message, i));
                continue;
            }

            int start = 0;
            bool joined = false;
            foreach (Match match in Placeholder().Matches(text))
            {
                string name = match.Groups["name"].Value;
                if (!special.TryGetValue(name, out var type))
                {
                    continue;
                }

                bool thread = type == TemplateInputType.Thread;
                if (thread && !IsAloneOnLine(text, match))
                {
                    throw new TemplateParseException($"{Describe(template)}, message {i + 1} ({message.Role.Value})", 1 + text.AsSpan(0, match.Index).Count('\n'), 1, $"the thread input '{name}' must be alone on its line: its messages are inserted between this message's text before and after it.");
                }

                string before = text[start..match.Index];
                if (thread ? before.Trim().Length > 0 : before.Length > 0)
                {
                    parts.Add((message.Role, thread ? before.Trim() : before, joined ? TemplateSegment.Continued : TemplateSegment.Message, i));
                    joined = !thread;
                }

                parts.Add((message.Role, string.Empty, thread ? new TemplateSegment(TemplateSegmentKind.Thread, name, false) : new TemplateSegment(TemplateSegmentKind.Image, name, joined), i));
                joined = !thread;
                start = match.Index + match.Length;
            }

            string after = text[start..];
            if (start == 0)
            {
                parts.Add((message.Role, text, TemplateSegment.Message, i));
            }
            else if (after.Trim().Length > 0)
            {
                parts.Add((message.Role, joined ? after : after.Trim(), joined ? TemplateSegment.Continued : TemplateSegment.Message, i));
            }
        }

        return parts;
    }

    private static bool IsAloneOnLine(string text, Match match)
    {
        int lineStart = match.Index == 0 ? 0 : text.LastIndexOf('\n', match.Index - 1) + 1;
        int lineEnd = text.IndexOf('\n', match.Index + match.Length);
        lineEnd = lineEnd < 0 ? text.Length : lineEnd;
        return text[lineStart..match.Index].Trim().Length == 0 && text[(match.Index + match.Length)..lineEnd].Trim().Length == 0;
    }

    [GeneratedRegex(@"\{\{-?\s*(?<name>[A-Za-z_][A-Za-z0-9_-]*)\s*-?\}\}")]
    private static partial Regex Placeholder();

    /// <summary>Returns whether this was compiled from the same message roles and texts as <paramref name="messages"/>.</summary>
    public bool IsFor(IReadOnlyList<TemplateMessage> messages, TemplateEngine engine = TemplateEngine.Mustache)
    {
        if (engine != Engine)
        {
            return false;
        }

        if (ReferenceEquals(messages, Messages))
        {
            return true;
        }

        if (messages.Count != Messages.Count)
        {
            return false;
        }

        for (int i = 0; i < messages.Count; i++)
        {
            if (messages[i].Role != Messages[i].Role || !string.Equals(messages[i].Template, Messages[i].Template, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public static string Describe(PromptTemplate template)
        => template.Version > 0 ? $"template '{template.Id}' v{template.Version}" : $"template '{template.Id}'";
}

/// <summary>What a compiled body is.</summary>
internal enum TemplateSegmentKind
{
    Text,
    Thread,
    Image,
}

/// <summary>A compiled body's kind, the input it reads (threads and images), and whether it continues the previous message (a text or image part after an image).</summary>
internal sealed record TemplateSegment(TemplateSegmentKind Kind, string? Input, bool ContinuesMessage)
{
    public static readonly TemplateSegment Message = new(TemplateSegmentKind.Text, null, false);

    public static readonly TemplateSegment Continued = new(TemplateSegmentKind.Text, null, true);
}
