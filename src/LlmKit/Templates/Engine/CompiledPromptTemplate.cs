using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>The parsed messages of one template version, reused for every render.</summary>
internal sealed class CompiledPromptTemplate(IReadOnlyList<TemplateMessage> messages, ChatRole[] roles, MustacheNode[][] bodies, TemplateEngine engine = TemplateEngine.Mustache, FluidMessageTemplate[]? fluidBodies = null)
{
    /// <summary>Gets the engine the bodies were compiled for.</summary>
    public TemplateEngine Engine { get; } = engine;

    /// <summary>Gets the Jinja2/Liquid bodies, or <see langword="null"/> for a mustache template.</summary>
    public FluidMessageTemplate[]? FluidBodies { get; } = fluidBodies;

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

        var roles = new ChatRole[messages.Count];
        var bodies = new MustacheNode[messages.Count][];
        var fluid = template.Engine == TemplateEngine.Mustache ? null : new FluidMessageTemplate[messages.Count];
        for (int i = 0; i < messages.Count; i++)
        {
            var message = messages[i] ?? throw new TemplateParseException(Describe(template), 0, 0, $"message {i + 1} is null.");
            roles[i] = message.Role;
            string source = $"{Describe(template)}, message {i + 1} ({message.Role.Value})";
            if (fluid is null)
            {
                bodies[i] = MustacheParser.Parse(message.Template ?? string.Empty, source, 1, partials);
            }
            else
            {
                bodies[i] = [];
                fluid[i] = FluidMessageTemplate.Compile(message.Template ?? string.Empty, template.Engine, source, 1, partials ?? new Dictionary<string, string>());
            }
        }

        return new CompiledPromptTemplate(messages, roles, bodies, template.Engine, fluid);
    }

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
