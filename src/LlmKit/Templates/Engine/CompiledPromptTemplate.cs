using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>The parsed messages of one template version, reused for every render.</summary>
internal sealed class CompiledPromptTemplate(IReadOnlyList<TemplateMessage> messages, ChatRole[] roles, MustacheNode[][] bodies)
{
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
        for (int i = 0; i < messages.Count; i++)
        {
            var message = messages[i] ?? throw new TemplateParseException(Describe(template), 0, 0, $"message {i + 1} is null.");
            roles[i] = message.Role;
            bodies[i] = MustacheParser.Parse(message.Template ?? string.Empty, $"{Describe(template)}, message {i + 1} ({message.Role.Value})", 1, partials);
        }

        return new CompiledPromptTemplate(messages, roles, bodies);
    }

    /// <summary>Returns whether this was compiled from the same message roles and texts as <paramref name="messages"/>.</summary>
    public bool IsFor(IReadOnlyList<TemplateMessage> messages)
    {
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
