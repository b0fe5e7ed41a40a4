using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Templates.Files;

public class PromptTemplateFilesTests
{
    private const string PromptyV1 = """
        ---
        name: Basic Prompt
        description: A basic prompt that answers questions
        authors:
          - alice
          - bob
        tags: [qa, basic]
        version: "1.0"
        model:
          api: chat
          configuration:
            type: azure_openai
            azure_deployment: gpt-4o
          parameters:
            max_tokens: 128
            temperature: 0.2
            top_p: 0.9
            stop: ["END"]
            response_format:
              type: json_object
        sample:
          question: Who are you?
        inputs:
          question:
            type: string
            description: The question
          firstName: Jane
        template: jinja2
        ---
        system:
        You are an assistant helping {{firstName}}.

        user:
        {{question}}
        """;

    private const string PromptyV2 = """
        ---
        name: structured
        description: Structured output
        metadata:
          id: weather
          authors: [carol]
          tags: [weather]
          labels: [production]
          owner: team-a
        model:
          id: claude-sonnet-4-5
          provider: anthropic
          apiType: chat
          connection:
            kind: reference
            name: mock
          options:
            maxOutputTokens: 512
            temperature: 0
            reasoning_effort: low
        inputs:
          - name: city
            kind: string
            default: Seattle
          - name: days
            kind: integer
            required: true
            allowedValues: ["1", "3"]
        outputs:
          - name: summary
            kind: string
            description: The forecast
        tools:
          - name: get_weather
            kind: function
        template:
          format:
            kind: mustache
          parser:
            kind: prompty
        ---
        # system:
        Forecast for {{city}}, {{days}} days.

        user [name=me]:
        Go.
        """;

    [Fact]
    public void Parse_PromptyV1_ReadsEveryField()
    {
        var t = PromptTemplateFiles.Parse(PromptyV1, PromptTemplateFileFormat.Prompty, "basic.prompty", "basic");

        Assert.Equal("basic", t.Id);
        Assert.Equal("Basic Prompt", t.Name);
        Assert.Equal("A basic prompt that answers questions", t.Description);
        Assert.Equal(["qa", "basic"], t.Tags);
        Assert.Equal("alice, bob", t.Metadata["authors"]);
        Assert.Equal("1.0", t.Metadata["version"]);
        Assert.Equal("""{"question":"Who are you?"}""", t.Metadata["sample"]);
        Assert.Equal("gpt-4o", t.ModelHints!.Model);
        Assert.Equal((128, 0.2f, 0.9f, "json"), (t.ModelHints.MaxOutputTokens, t.ModelHints.Temperature, t.ModelHints.TopP, t.ModelHints.ResponseFormat));
        Assert.Equal(["END"], t.ModelHints.StopSequences);
        var question = t.Inputs.Single(i => i.Name == "question");
        // The v1 sample fills the inputs a caller leaves out, as Prompty's runtime hoists it.
        Assert.Equal((TemplateInputType.String, false, "The question", "Who are you?"), (question.Type, question.IsRequired, question.Description, question.Default!.Value.GetString()));
        var firstName = t.Inputs.Single(i => i.Name == "firstName");
        Assert.Equal((false, "Jane"), (firstName.IsRequired, firstName.Default!.Value.GetString()));
        Assert.Equal([ChatRole.System, ChatRole.User], t.Messages.Select(m => m.Role));
        Assert.Equal("You are an assistant helping {{firstName}}.", t.Messages[0].Template);
        Assert.Equal("{{question}}", t.Messages[1].Template);
    }

    [Fact]
    public void Parse_PromptyV2_ReadsEveryField()
    {
        var t = PromptTemplateFiles.Parse(PromptyV2, PromptTemplateFileFormat.Prompty, "s.prompty", "structured");

        Assert.Equal("weather", t.Id);
        Assert.Equal(["weather"], t.Tags);
        Assert.Equal(["production"], t.Labels);
        Assert.Equal("team-a", t.Metadata["owner"]);
        Assert.Equal("carol", t.Metadata["authors"]);
        Assert.Equal(("claude-sonnet-4-5", 512, 0f), (t.ModelHints!.Model, t.ModelHints.MaxOutputTokens, t.ModelHints.Temperature));
        Assert.Equal("\"low\"", ((JsonElement)t.ModelHints.AdditionalProperties["reasoning_effort"]!).GetRawText());
        Assert.Equal(
            """{"type":"object","properties":{"summary":{"type":"string","description":"The forecast"}},"required":["summary"],"additionalProperties":false}""",
            t.ModelHints.ResponseFormat);
        Assert.Equal(["get_weather"], t.Tools);
        var city = t.Inputs[0];
        Assert.Equal(("city", false, "Seattle"), (city.Name, city.IsRequired, city.Default!.Value.GetString()));
        var days = t.Inputs[1];
        Assert.Equal((TemplateInputType.Integer, true), (days.Type, days.IsRequired));
        Assert.Equal(["1", "3"], days.AllowedValues);
        Assert.Equal([ChatRole.System, ChatRole.User], t.Messages.Select(m => m.Role));
        Assert.Equal("Forecast for {{city}}, {{days}} days.", t.Messages[0].Template);
    }

    public static TheoryData<string, int, int, string> BadPrompty => new()
    {
        { "---\nname: x\nsystem:\nhello", 1, 1, "never closed" },
        { "---\nname: [unclosed\n---\nsystem:\nhi", 3, 1, "invalid YAML" },
        { "---\nname: x\n---\n\n", 4, 1, "the body is empty" },
        { "---\nname: x\n---\nsystem:\n\nuser:\nhi", 4, 1, "'system:' section is empty" },
        { "---\nname: x\n---\nsystem:\nok\nuser:\nHello {{name\n", 7, 7, "not closed" },
        { "---\nname: x\n---\ntool:\nresult", 4, 1, "role 'tool' cannot start" },
        { "---\ninputs:\n  a:\n    type: strng\n---\nuser:\n{{a}}", 4, 11, "unknown type 'strng'" },
        { "---\nmodel:\n  parameters:\n    temperature: hot\n---\nuser:\nx", 4, 18, "must be a number" },
        { "---\ntemplate: mustache\n---\nuser:\n{% for x in xs %}{{x}}{% endfor %}", 5, 1, "engine is mustache" },
        { "---\ntemplate: handlebars\n---\nuser:\nx", 2, 11, "not supported" },
    };

    [Theory]
    [MemberData(nameof(BadPrompty))]
    public void Parse_BadPrompty_ThrowsWithFileLineAndColumn(string text, int line, int column, string problem)
    {
        var ex = Assert.Throws<TemplateParseException>(() => PromptTemplateFiles.Parse(text, PromptTemplateFileFormat.Prompty, "prompts/bad.prompty", "bad"));

        Assert.Equal(("prompts/bad.prompty", line, column), (ex.SourceName, ex.Line, ex.Column));
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_YamlTemplate_ReadsMessagesInputsAndModel()
    {
        const string yaml = """
            id: support/triage
            name: Triage
            tags: [support]
            labels: [production]
            inputs:
              - name: ticket
                type: string
              - name: urgency
                type: string
                default: normal
                allowedValues: [low, normal, high]
            messages:
              - role: system
                template: |
                  Classify the ticket.
                  Urgency hint: {{urgency}}
              - role: user
                template: "{{ticket}}"
            model:
              id: fast
              temperature: 0.1
              maxOutputTokens: 50
              responseFormat: json
            tools: [lookup_customer]
            metadata:
              owner: support
            """;

        var t = PromptTemplateFiles.Parse(yaml, PromptTemplateFileFormat.Yaml, "triage.yaml");

        Assert.Equal(("support/triage", "Triage"), (t.Id, t.Name));
        Assert.Equal("Classify the ticket.\nUrgency hint: {{urgency}}\n", t.Messages[0].Template);
        Assert.Equal(("fast", 0.1f, 50, "json"), (t.ModelHints!.Model, t.ModelHints.Temperature, t.ModelHints.MaxOutputTokens, t.ModelHints.ResponseFormat));
        Assert.Equal(["low", "normal", "high"], t.Inputs[1].AllowedValues);
        Assert.Equal(["lookup_customer"], t.Tools);
        Assert.Equal(["production"], t.Labels);
    }

    [Theory]
    [InlineData("id: x\nmesages: []", 2, 1, "unknown field 'mesages'")]
    [InlineData("id: x\nmessages:\n  - role: robot\n    template: hi", 3, 11, "unknown role 'robot'")]
    [InlineData("id: x\nmessages:\n  - role: user", 3, 5, "needs a 'template'")]
    [InlineData("id: x\nmessages: []", 2, 11, "non-empty list")]
    [InlineData("id: x\nmessages:\n  - role: user\n    template: \"{{#a}}\"", 4, 1, "never closed")]
    public void Parse_BadYaml_ThrowsWithLineAndColumn(string yaml, int line, int column, string problem)
    {
        var ex = Assert.Throws<TemplateParseException>(() => PromptTemplateFiles.Parse(yaml, PromptTemplateFileFormat.Yaml, "t.yaml"));

        Assert.Equal(("t.yaml", line, column), (ex.SourceName, ex.Line, ex.Column));
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_JsonTemplate_ReadsTheSameShape()
    {
        const string json = "{\n\t\"id\": \"j\",\n\t\"messages\": [{\"role\":\"user\",\"template\":\"Hi {{name}}\\n\\tbye\"}],\n\t\"inputs\": [{\"name\":\"name\"}]\n}";

        var t = PromptTemplateFiles.Parse(json, PromptTemplateFileFormat.Json, "j.json");

        Assert.Equal("j", t.Id);
        Assert.Equal("Hi {{name}}\n\tbye", t.Messages[0].Template);
        Assert.Equal("name", t.Inputs[0].Name);
    }

    [Theory]
    [InlineData("{\n  \"id\": \"j\",\n  \"messages\": [\n}", 4, 1, "invalid JSON")]
    [InlineData("{\n  \"id\": \"j\",\n  \"messages\": [{\"role\": \"narrator\", \"template\": \"x\"}]\n}", 3, 25, "unknown role 'narrator'")]
    public void Parse_BadJson_ThrowsWithLineAndColumn(string json, int line, int column, string problem)
    {
        var ex = Assert.Throws<TemplateParseException>(() => PromptTemplateFiles.Parse(json, PromptTemplateFileFormat.Json, "t.json"));

        Assert.Equal((line, column), (ex.Line, ex.Column));
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    private static PromptTemplate RichTemplate() => new()
    {
        Id = "rich",
        Name = "Rich",
        Description = "Everything set",
        Tags = ["a", "b"],
        Labels = ["production", "latest"],
        Inputs =
        [
            new TemplateInput { Name = "q", Description = "question" },
            new TemplateInput { Name = "n", Type = TemplateInputType.Integer, Default = JsonDocument.Parse("3").RootElement.Clone(), IsRequired = false, AllowedValues = ["1", "3"] },
            new TemplateInput { Name = "o", Type = TemplateInputType.Object, IsRequired = false, JsonSchema = JsonDocument.Parse("""{"type":"object"}""").RootElement.Clone() },
        ],
        Messages = [new(ChatRole.System, "Line one: \"quoted\" {{n}}\n  indented: yes\n# not a header"), new(ChatRole.User, "{{q}}")],
        ModelHints = new TemplateModelHints
        {
            Model = "smart",
            Temperature = 0.2f,
            TopP = 0.95f,
            MaxOutputTokens = 300,
            StopSequences = ["###"],
            Seed = 11,
            ResponseFormat = """{"type":"object","properties":{"x":{"type":"string"}}}""",
            AdditionalProperties = new Dictionary<string, object?> { ["reasoning_effort"] = JsonDocument.Parse("\"high\"").RootElement.Clone() },
        },
        Tools = ["search"],
        Metadata = new Dictionary<string, string> { ["owner"] = "me", ["authors"] = "x, y" },
    };

    [Theory]
    [InlineData(PromptTemplateFileFormat.Prompty)]
    [InlineData(PromptTemplateFileFormat.Yaml)]
    [InlineData(PromptTemplateFileFormat.Json)]
    public void Export_ThenParse_GivesTheSameTemplate(PromptTemplateFileFormat format)
    {
        var original = RichTemplate();

        string text = PromptTemplateFiles.Export(original, format);
        var back = PromptTemplateFiles.Parse(text, format, "roundtrip");

        Assert.Equal(original.Id, back.Id);
        Assert.Equal((original.Name, original.Description), (back.Name, back.Description));
        Assert.Equal(original.Tags, back.Tags);
        Assert.Equal(["production"], back.Labels);
        Assert.Equal(original.Messages, back.Messages);
        Assert.Equal(original.Tools, back.Tools);
        Assert.Equal(original.Metadata.OrderBy(p => p.Key), back.Metadata.OrderBy(p => p.Key));
        Assert.Equal(
            original.Inputs.Select(i => (i.Name, i.Type, i.IsRequired, i.Description, i.Default?.GetRawText(), string.Join(",", i.AllowedValues), i.JsonSchema?.GetRawText())),
            back.Inputs.Select(i => (i.Name, i.Type, i.IsRequired, i.Description, i.Default?.GetRawText(), string.Join(",", i.AllowedValues), i.JsonSchema?.GetRawText())));
        var (a, b) = (original.ModelHints!, back.ModelHints!);
        Assert.Equal((a.Model, a.Temperature, a.TopP, a.MaxOutputTokens, a.Seed, a.ResponseFormat), (b.Model, b.Temperature, b.TopP, b.MaxOutputTokens, b.Seed, b.ResponseFormat));
        Assert.Equal(a.StopSequences, b.StopSequences);
        Assert.Equal("\"high\"", ((JsonElement)b.AdditionalProperties["reasoning_effort"]!).GetRawText());
    }

    [Fact]
    public void Export_PromptyWithRoleHeaderLineInAMessage_RefusesInsteadOfChangingTheRoles()
    {
        var template = new PromptTemplate { Id = "dialogue", Messages = [new(ChatRole.User, "Example:\nassistant:\nHello")] };

        var ex = Assert.Throws<TemplateParseException>(() => PromptTemplateFiles.Export(template, PromptTemplateFileFormat.Prompty));

        Assert.Contains("would read back as a role header", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, ex.Line);
        // YAML keeps the message intact.
        var back = PromptTemplateFiles.Parse(PromptTemplateFiles.Export(template, PromptTemplateFileFormat.Yaml), PromptTemplateFileFormat.Yaml);
        Assert.Equal(template.Messages, back.Messages);
    }

    [Fact]
    public void LoadDirectory_ReadsEveryFormatAndReportsTheBadFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "llmkit-templates-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        try
        {
            File.WriteAllText(Path.Combine(dir, "a.prompty"), "---\nname: A\n---\nuser:\n{{x}}\n");
            File.WriteAllText(Path.Combine(dir, "sub", "b.yaml"), "id: b\nmessages:\n  - role: user\n    template: hi\n");
            File.WriteAllText(Path.Combine(dir, "c.json"), """{"id":"c","messages":[{"role":"system","template":"s"}]}""");
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "ignored");

            var templates = PromptTemplateFiles.LoadDirectory(dir);

            Assert.Equal(["a", "c", "b"], templates.Select(t => t.Id));
            string bad = Path.Combine(dir, "sub", "z.prompty");
            File.WriteAllText(bad, "---\nname: Z\n---\n{% if x %}\n");
            var ex = Assert.Throws<TemplateParseException>(() => PromptTemplateFiles.LoadDirectory(dir));
            Assert.Equal((bad, 4, 11), (ex.SourceName, ex.Line, ex.Column));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Save_ThenLoad_UsesTheExtensionsFormat()
    {
        string path = Path.Combine(Path.GetTempPath(), $"llmkit-{Guid.NewGuid():N}.prompty");
        try
        {
            PromptTemplateFiles.Save(RichTemplate(), path);

            Assert.StartsWith("---\n", File.ReadAllText(path), StringComparison.Ordinal);
            Assert.Equal(RichTemplate().Messages, PromptTemplateFiles.Load(path).Messages);
            Assert.Throws<TemplateParseException>(() => PromptTemplateFiles.Load(Path.ChangeExtension(path, ".txt")));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
