using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace LlmKit.Tests.Templates;

/// <summary>The README's "Template engines, personas" example, run as written, with its commented results checked.</summary>
public class ReadmeTemplateEnginesExampleTests
{
    [Fact]
    public async Task Example_RendersPersonaDocumentsThreadAndQuestion()
    {
        var options = new PromptTemplateOptions { PersonaAdaptationShift = 1, IncludeDefaultTemplates = false };
        options.Personas.Profiles["support"] = new Persona { Name = "support", Warmth = PersonaTraitLevel.High, Verbosity = PersonaTraitLevel.Low, Instructions = "Sign your answers as Sam." };
        options.Personas.ByTenant["contoso"] = "support";
        var templates = new PromptTemplateService(new InMemoryTemplateStore(), Options.Create(options));
        PromptTemplate template = PromptTemplateFiles.Parse("""
            ---
            name: answer
            inputs:
              - name: history
                kind: thread
              - name: documents
                kind: array
                default: []
              - name: question
                kind: string
            ---
            system:
            {% include "persona" %}
            {%- if documents | length > 0 %}
            Use these documents:
            {%- for doc in documents %}
            {{ loop.index }}. {{ doc | trim }}
            {%- endfor %}
            {%- endif %}

            {{history}}

            user:
            {{ question }}
            """, PromptTemplateFileFormat.Prompty, "answer.prompty", "answer");
        await templates.ImportAsync(template);

        RenderedPrompt prompt;
        RenderedPrompt noDocuments;
        using (LlmRequestContext.BeginScope(LlmRequestContext.Empty with { TenantId = "contoso" }))
        {
            prompt = await templates.RenderAsync("answer", new Dictionary<string, object?>
            {
                ["history"] = new[] { new ChatMessage(ChatRole.User, "hi"), new ChatMessage(ChatRole.Assistant, "Hello!") },
                ["documents"] = new[] { "Refunds take 5 days." },
                ["question"] = "Where is my refund?",
            });
            noDocuments = await templates.RenderAsync("answer", new Dictionary<string, object?> { ["history"] = Array.Empty<ChatMessage>(), ["question"] = "Q" });
        }

        string persona = options.Personas.Profiles["support"].ToInstructions();
        Assert.Equal(
            [(ChatRole.System, persona + "\nUse these documents:\n1. Refunds take 5 days."), (ChatRole.User, "hi"), (ChatRole.Assistant, "Hello!"), (ChatRole.User, "Where is my refund?")],
            prompt.Messages.Select(m => (m.Role, m.Text)));
        Assert.Equal("support", prompt.Options!.AdditionalProperties!["llmkit.persona"]);
        Assert.Equal([(ChatRole.System, persona), (ChatRole.User, "Q")], noDocuments.Messages.Select(m => (m.Role, m.Text)));
    }
}
