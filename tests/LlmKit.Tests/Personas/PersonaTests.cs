using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace LlmKit.Tests.Personas;

public class PersonaTests
{
    private static PersonaOptions Options()
    {
        var options = new PersonaOptions();
        options.Profiles["support"] = new Persona { Name = "support", Warmth = PersonaTraitLevel.High, Instructions = "Sign as Sam.", Temperature = 0.4f };
        options.ByTenant["acme"] = "formal";
        options.ByUser["u1"] = "concise";
        return options;
    }

    [Fact]
    public void Select_ConversationThenUserThenTenantThenDefault()
    {
        var selector = new PersonaSelector(Options());
        var conversation = LlmRequestContext.Empty with { TenantId = "acme", UserId = "u1", Tags = new Dictionary<string, string> { [PersonaOptions.ConversationMetadataKey] = "support" } };

        Assert.Equal("support", selector.Select(conversation).Name);
        Assert.Equal("concise", selector.Select(conversation with { Tags = new Dictionary<string, string>() }).Name);
        Assert.Equal("formal", selector.Select(LlmRequestContext.Empty with { TenantId = "acme", UserId = "other" }).Name);
        Assert.Equal("neutral", selector.Select(null).Name);
        var ex = Assert.Throws<LlmKitConfigurationException>(() => selector.Select(LlmRequestContext.Empty with { Tags = new Dictionary<string, string> { [PersonaOptions.ConversationMetadataKey] = "pirate" } }));
        Assert.Contains("'pirate' is not defined", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Selector_RefusesAChoiceOfAnUndefinedPersona()
    {
        var options = new PersonaOptions();
        options.ByTenant["t"] = "ghost";

        var ex = Assert.Throws<LlmKitConfigurationException>(() => new PersonaSelector(options));

        Assert.Contains("'ghost' chosen for tenant 't' is not defined", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToInstructions_DescribesEveryTraitAndAppendsInstructions()
    {
        var persona = new Persona { Name = "p", Formality = PersonaTraitLevel.High, Verbosity = PersonaTraitLevel.Low, Warmth = PersonaTraitLevel.High, Humour = PersonaTraitLevel.High, Directness = PersonaTraitLevel.High, Instructions = "  Sign as Sam. " };

        Assert.Equal(
            "Write formally and politely, without slang or contractions. Keep answers short: a sentence or two unless more is asked for. Be warm and empathetic; acknowledge how the user feels. Light humour is welcome where it fits. Be direct: lead with the answer or recommendation.\nSign as Sam.",
            persona.ToInstructions());
    }

    [Fact]
    public void Adapt_MeasuresSignalsAndMovesTraitsWithinTheBound()
    {
        var formal = new Persona { Name = "formal", Formality = PersonaTraitLevel.High, Verbosity = PersonaTraitLevel.High, Warmth = PersonaTraitLevel.Low, Humour = PersonaTraitLevel.Low, Directness = PersonaTraitLevel.Low };
        string[] messages = ["hey lol it broke again 😅", "thx, gonna try?", "yeah cool 👍"];

        var one = PersonaAdapter.Adapt(formal, messages);
        var two = PersonaAdapter.Adapt(formal, messages, maxShift: 2);
        var none = PersonaAdapter.Adapt(formal, messages, maxShift: 0);

        // 3 messages of 6, 3 and 3 words: 4 words per message; markers hey, lol, thx, gonna, yeah, cool; 2 emoji; 1 question of 3.
        Assert.Equal((4.0, 0, 6, 2 / 3.0, 1 / 3.0), (one.AverageWords, one.FormalMarkers, one.CasualMarkers, one.EmojiPerMessage, one.QuestionRatio));
        Assert.Equal((PersonaTraitLevel.Medium, PersonaTraitLevel.Medium, PersonaTraitLevel.Medium, PersonaTraitLevel.Medium, PersonaTraitLevel.Low), (one.Persona.Formality, one.Persona.Verbosity, one.Persona.Warmth, one.Persona.Humour, one.Persona.Directness));
        Assert.Equal((PersonaTraitLevel.Low, PersonaTraitLevel.Low, PersonaTraitLevel.High), (two.Persona.Formality, two.Persona.Verbosity, two.Persona.Warmth));
        Assert.Equal(formal, none.Persona);
        Assert.Equal(string.Empty, none.Explanation);
        Assert.Contains("verbosity High -> Medium (4 words per message)", one.Explanation, StringComparison.Ordinal);
        Assert.Contains("formality High -> Medium (0 formal and 6 casual markers)", one.Explanation, StringComparison.Ordinal);
        Assert.Equal(formal, PersonaAdapter.Adapt(formal, []).Persona);
    }

    [Fact]
    public async Task Service_RendersThePersonaPartialForTheTenant_AndExplainsTheAdaptationInTheOptions()
    {
        var options = new PromptTemplateOptions { IncludeDefaultTemplates = false, PersonaAdaptationShift = 1 };
        options.Personas.Profiles["support"] = new Persona { Name = "support", Verbosity = PersonaTraitLevel.High, Instructions = "Sign as Sam.", Temperature = 0.4f };
        options.Personas.ByTenant["acme"] = "support";
        var service = new PromptTemplateService(new InMemoryTemplateStore(), Microsoft.Extensions.Options.Options.Create(options));
        var template = PromptTemplateFiles.Parse(
            "---\ninputs:\n  - name: history\n    kind: thread\n  - name: q\n    kind: string\n---\nsystem:\n{% include \"persona\" %}\n\n{{history}}\n\nuser:\n{{ q }}",
            PromptTemplateFileFormat.Prompty,
            "p.prompty",
            "p");
        await service.ImportAsync(template);
        ChatMessage[] history = [new(ChatRole.User, "hi"), new(ChatRole.Assistant, "Hello!")];

        RenderedPrompt rendered;
        using (LlmRequestContext.BeginScope(LlmRequestContext.Empty with { TenantId = "acme" }))
        {
            rendered = await service.RenderAsync("p", new Dictionary<string, object?> { ["history"] = history, ["q"] = "ok" });
        }

        var expected = options.Personas.Profiles["support"] with { Verbosity = PersonaTraitLevel.Medium };
        Assert.Equal(expected.ToInstructions(), rendered.Messages[0].Text);
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User], rendered.Messages.Select(m => m.Role));
        Assert.Equal("support", rendered.Options!.AdditionalProperties![PersonaOptions.ConversationMetadataKey]);
        Assert.Equal("verbosity High -> Medium (1 words per message)", rendered.Options.AdditionalProperties[PersonaOptions.ConversationMetadataKey + ".adaptation"]);
        Assert.Equal(0.4f, rendered.Options.Temperature);
    }
}
