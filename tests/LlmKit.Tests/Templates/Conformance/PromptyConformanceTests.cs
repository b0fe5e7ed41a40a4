using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Templates.Conformance;

/// <summary>
/// Files from Prompty's repository (see Prompty/PROVENANCE.md): each parses and renders to the messages written here by
/// hand from Prompty's specification, or fails for its documented reason.
/// </summary>
public class PromptyConformanceTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Templates", "Conformance", "Prompty");

    private const string AssistantPreamble = "You are an AI assistant who helps people find information.\nAs the assistant, you answer questions briefly, succinctly, \nand in a personable manner using markdown and even add some personal flair with appropriate emojis.";

    private static PromptTemplate Load(string file) => PromptTemplateFiles.Load(Path.Combine(Folder, file));

    private static (ChatRole, string)[] Render(PromptTemplate template, bool strict = true, params (string Key, object? Value)[] inputs)
        => [.. new PromptTemplateRenderer(strict: strict).Render(template, inputs.ToDictionary(p => p.Key, p => p.Value)).Messages.Select(m => (m.Role, m.Text))];

    [Fact]
    public void EveryCorpusFile_IsCoveredByAnExpectation()
    {
        var files = Directory.GetFiles(Folder, "*.prompty").Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(
            ["basic.prompty", "basic_mustache.prompty", "chat.prompty", "context.prompty", "env_default.prompty", "file_ref.prompty", "legacy_basic.prompty", "minimal.prompty", "shorthand_body_only.prompty", "threaded.prompty"],
            files);
    }

    [Fact]
    public void Basic_V1WithoutTemplateField_TextBeforeTheFirstRoleIsSystem_SampleFillsInputs()
    {
        var template = Load("basic.prompty");

        Assert.Equal(TemplateEngine.Jinja2, template.Engine);
        Assert.Equal(
            [
                (ChatRole.System, "tools:\n  - name: query\n    type: dataverse\n    configuration:\n      connection: \"https://contoso.crm.dynamics.com\"\n      query: SELECT * FROM sample WHERE firstName = 'Jane' AND lastName = 'Doe'\n    \n  - name: search\n    type: bing\n    configuration:\n      parameters: [What is the meaning of life?]"),
                (ChatRole.System, AssistantPreamble + "\n\n\n# Customer\nYou are helping Jane Doe to find answers to their questions.\nUse their name to address them in your responses."),
                (ChatRole.User, "What is the meaning of life?"),
            ],
            Render(template, strict: false));
    }

    [Fact]
    public void BasicMustache_RendersWithoutStrictness_AndStrictModeReportsTheUndeclaredQuery()
    {
        var template = Load("basic_mustache.prompty");

        Assert.Equal(TemplateEngine.Mustache, template.Engine);
        Assert.Equal(
            [
                (ChatRole.System, AssistantPreamble + "\n\n\n\n# Customer\nYou are helping Jane Doe to find answers to their questions.\nUse their name to address them in your responses."),
                (ChatRole.User, "What is the meaning of life?"),
            ],
            Render(template, strict: false));
        var ex = Assert.Throws<TemplateRenderException>(() => Render(template));
        Assert.Contains("'{{query}}' has no value", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Chat_RoleMarkersFromALoop_AreRefusedAtLoad()
    {
        var ex = Assert.Throws<TemplateParseException>(() => Load("chat.prompty"));

        Assert.Equal(33, ex.Line);
        Assert.Contains("'{{item.role}}:' would make a role marker from a value inside the '{% for %}' block opened at line 32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Context_InputsFromAFile_SamplesAndLoop()
    {
        var template = Load("context.prompty");

        var messages = Render(template);

        Assert.Equal(2, messages.Length);
        Assert.Equal(ChatRole.System, messages[0].Item1);
        Assert.StartsWith(AssistantPreamble + "\n\n# Safety\n- You **should always** reference", messages[0].Item2, StringComparison.Ordinal);
        Assert.EndsWith(
            "The response should specifically include the product id.\n\n"
            + "\ncatalog: 17\nitem: RainGuard Hiking Jacket\nprice: 110\ncontent: Introducing the MountainStyle RainGuard Hiking Jacket.\n"
            + "\ncatalog: 3\nitem: Summit Breeze Jacket\nprice: 120\ncontent: Discover the joy of hiking with MountainStyle's Summit Breeze Jacket.\n"
            + "\n\n# Customer\nYou are helping Sally Davis to find answers to their questions.\nUse their name to address them in your responses.",
            messages[0].Item2,
            StringComparison.Ordinal);
        Assert.Equal((ChatRole.User, "What kind of clothing do you suggest?"), messages[1]);
    }

    [Fact]
    public void Threaded_TheConversationIsInsertedBetweenSystemAndUser()
    {
        ChatMessage[] thread = [new(ChatRole.User, "Hi"), new(ChatRole.Assistant, "Hello! How can I help?")];

        Assert.Equal(
            [(ChatRole.System, "You are a helpful assistant."), (ChatRole.User, "Hi"), (ChatRole.Assistant, "Hello! How can I help?"), (ChatRole.User, "Hello")],
            Render(Load("threaded.prompty"), true, ("conversation", thread)));
    }

    [Fact]
    public void SmallFiles_RenderAsTheSpecificationSays()
    {
        Assert.Equal([(ChatRole.System, "Hello world.")], Render(Load("env_default.prompty")));
        Assert.Equal([(ChatRole.System, "Hello world.")], Render(Load("minimal.prompty")));
        Assert.Equal([(ChatRole.System, "You are a helpful assistant that answers questions concisely.")], Render(Load("shorthand_body_only.prompty")));
        Assert.Equal([(ChatRole.System, "You are a helpful assistant."), (ChatRole.User, "What is AI?")], Render(Load("file_ref.prompty")));
        Assert.Equal("gpt-4", Load("minimal.prompty").ModelHints!.Model);
    }

    [Fact]
    public void LegacyBasic_NeedsItsEnvironmentVariables()
    {
        string? endpoint = Environment.GetEnvironmentVariable("AZURE_OPENAI_ENDPOINT");
        string? key = Environment.GetEnvironmentVariable("AZURE_OPENAI_API_KEY");
        try
        {
            Environment.SetEnvironmentVariable("AZURE_OPENAI_ENDPOINT", null);
            var ex = Assert.Throws<TemplateParseException>(() => Load("legacy_basic.prompty"));
            Assert.Equal((14, 21), (ex.Line, ex.Column));
            Assert.Contains("'AZURE_OPENAI_ENDPOINT' is not set", ex.Message, StringComparison.Ordinal);

            Environment.SetEnvironmentVariable("AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.com/");
            Environment.SetEnvironmentVariable("AZURE_OPENAI_API_KEY", "sk-test-secret-value");
            var template = Load("legacy_basic.prompty");
            Assert.Equal((0.7f, 500, 0.5f, 0.3f), (template.ModelHints!.Temperature, template.ModelHints.MaxOutputTokens, template.ModelHints.FrequencyPenalty, template.ModelHints.PresencePenalty));
            Assert.Equal([(ChatRole.System, "You are an AI assistant."), (ChatRole.User, "What is the meaning of life?")], Render(template, true, ("firstName", "Ann")));
            Assert.DoesNotContain("sk-test-secret-value", string.Join(" ", template.Metadata.Values), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AZURE_OPENAI_ENDPOINT", endpoint);
            Environment.SetEnvironmentVariable("AZURE_OPENAI_API_KEY", key);
        }
    }
}
