using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Templates.Files;

public sealed class PromptyFrontMatterTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "llmkit-prompty-" + Guid.NewGuid().ToString("N"));

    public PromptyFrontMatterTests() => Directory.CreateDirectory(Path.Combine(_folder, "data"));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static RenderedPrompt Render(PromptTemplate template, params (string Key, object? Value)[] inputs)
        => new PromptTemplateRenderer().Render(template, inputs.ToDictionary(p => p.Key, p => p.Value));

    [Fact]
    public void EnvReferences_AreResolvedAtLoad_WithDefaults()
    {
        string name = "LLMKIT_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, "gpt-from-env");
        try
        {
            var template = PromptTemplateFiles.Load(Write("env.prompty", $"---\nmodel:\n  id: ${{env:{name}}}\n  options:\n    temperature: 0.5\ninputs:\n  who:\n    default: ${{env:LLMKIT_SURELY_UNSET_VARIABLE:world}}\n---\nsystem:\nHello {{{{ who }}}}"));

            Assert.Equal("gpt-from-env", template.ModelHints!.Model);
            var rendered = Render(template);
            Assert.Equal("Hello world", rendered.Messages[0].Text);
            Assert.Equal(("gpt-from-env", 0.5f), (rendered.Options!.ModelId, rendered.Options.Temperature));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void MissingEnvVariableWithoutDefault_IsALoadErrorNamingItsPlace()
    {
        string path = Write("bad-env.prompty", "---\nname: x\nmodel:\n  id: ${env:LLMKIT_SURELY_UNSET_VARIABLE}\n---\nuser:\nhi");

        var ex = Assert.Throws<TemplateParseException>(() => PromptTemplateFiles.Load(path));

        Assert.Equal((path, 4, 7), (ex.SourceName, ex.Line, ex.Column));
        Assert.Contains("'LLMKIT_SURELY_UNSET_VARIABLE' is not set", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileReferences_AreReadRelativeToTheTemplate_AndJsonBecomesStructure()
    {
        File.WriteAllText(Path.Combine(_folder, "data", "sample.json"), """{"firstName":"Jane","question":"Why?"}""");
        File.WriteAllText(Path.Combine(_folder, "data", "intro.txt"), "Be brief.");
        var template = PromptTemplateFiles.Load(Write("file.prompty", "---\ndescription: ${file:data/intro.txt}\nsample: ${file:data/sample.json}\n---\nsystem:\nHelp {{ firstName }}.\n\nuser:\n{{ question }}"));

        Assert.Equal("Be brief.", template.Description);
        Assert.Equal(["Help Jane.", "Why?"], Render(template).Messages.Select(m => m.Text));
        Assert.Equal(["Help Ann.", "How?"], Render(template, ("firstName", "Ann"), ("question", "How?")).Messages.Select(m => m.Text));
    }

    [Theory]
    [InlineData("../outside.json", "outside the template's folder")]
    [InlineData("/etc/hostname", "outside the template's folder")]
    [InlineData("data/missing.json", "does not exist")]
    public void BadFileReferences_AreLoadErrors(string reference, string problem)
    {
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(_folder)!, "outside.json"), "{}");
        string path = Write("bad-file.prompty", $"---\nname: x\nsample: ${{file:{reference}}}\n---\nuser:\nhi");

        var ex = Assert.Throws<TemplateParseException>(() => PromptTemplateFiles.Load(path));

        Assert.Equal((path, 3, 9), (ex.SourceName, ex.Line, ex.Column));
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileReference_InTextWithoutAFolder_IsAnError()
    {
        var ex = Assert.Throws<TemplateParseException>(() => PromptTemplateFiles.Parse("---\nsample: ${file:a.json}\n---\nuser:\nhi", PromptTemplateFileFormat.Prompty, "t.prompty", "t"));

        Assert.Contains("load the template from a file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V1Sample_FillsInputsTheCallerLeavesOut_AfterDeclaredDefaults()
    {
        var template = PromptTemplateFiles.Parse(
            "---\ninputs:\n  firstName:\n    type: string\n  lastName:\n    type: string\n    default: Doe\nsample:\n  firstName: Jane\n  lastName: Smith\n  question: What is the meaning of life?\n---\nsystem:\nHelping {{firstName}} {{lastName}}.\nuser:\n{{question}}",
            PromptTemplateFileFormat.Prompty,
            "s.prompty",
            "s");

        Assert.Equal(["Helping Jane Doe.", "What is the meaning of life?"], Render(template).Messages.Select(m => m.Text));
        Assert.Equal("Helping Ann Doe.", Render(template, ("firstName", "Ann")).Messages[0].Text);
    }

    [Fact]
    public void V2InputSchema_DefaultsAndThreadInput_InsertTheConversationAtItsPlace()
    {
        // Shaped like Prompty's own threaded example: the thread sits inside the system section.
        var template = PromptTemplateFiles.Parse(
            "---\nname: threaded-chat\ninputSchema:\n  properties:\n    - name: question\n      kind: string\n      default: Hello\n    - name: conversation\n      kind: thread\n---\nsystem:\nYou are a helpful assistant.\n\n{{conversation}}\n\nuser:\n{{question}}\n",
            PromptTemplateFileFormat.Prompty,
            "threaded.prompty",
            "threaded");
        ChatMessage[] history = [new(ChatRole.User, "Hi, I'm Ann."), new(ChatRole.Assistant, "Hello Ann!\nuser:\nnot a role")];

        var rendered = Render(template, ("conversation", history));
        var empty = Render(template, ("conversation", Array.Empty<ChatMessage>()));

        Assert.Equal(
            [(ChatRole.System, "You are a helpful assistant."), (ChatRole.User, "Hi, I'm Ann."), (ChatRole.Assistant, "Hello Ann!\nuser:\nnot a role"), (ChatRole.User, "Hello")],
            rendered.Messages.Select(m => (m.Role, m.Text)));
        Assert.Equal([ChatRole.System, ChatRole.User], empty.Messages.Select(m => m.Role));
        Assert.Throws<TemplateRenderException>(() => Render(template, ("conversation", "not a thread")));
    }

    [Fact]
    public void ImageInput_IsAnImageContentPartAtItsPlace()
    {
        var template = PromptTemplateFiles.Parse(
            "---\ninputs:\n  - name: photo\n    kind: image\n  - name: ask\n    kind: string\n---\nuser:\n{{ ask }}\n{{ photo }}\nThanks.",
            PromptTemplateFileFormat.Prompty,
            "img.prompty",
            "img");

        var rendered = Render(template, ("ask", "What is this?"), ("photo", "https://example.com/cat.png"));

        var message = Assert.Single(rendered.Messages);
        Assert.Equal(ChatRole.User, message.Role);
        Assert.Collection(
            message.Contents,
            c => Assert.Equal("What is this?\n", Assert.IsType<TextContent>(c).Text),
            c => Assert.Equal(("https://example.com/cat.png", "image/png"), (Assert.IsType<UriContent>(c).Uri.ToString(), ((UriContent)c).MediaType)),
            c => Assert.Equal("\nThanks.", Assert.IsType<TextContent>(c).Text));
        var data = Render(template, ("ask", "And this?"), ("photo", new DataContent(new byte[] { 1, 2, 3 }, "image/jpeg")));
        Assert.IsType<DataContent>(data.Messages[0].Contents[1]);
    }

    [Fact]
    public void V2ModelOptions_BecomeChatOptions()
    {
        var template = PromptTemplateFiles.Parse(
            "---\nmodel:\n  id: gpt-4o\n  options:\n    temperature: 0.3\n    maxOutputTokens: 200\n    topP: 0.8\n    stopSequences: [\"###\"]\n    seed: 7\n---\nuser:\nhi",
            PromptTemplateFileFormat.Prompty,
            "m.prompty",
            "m");

        var options = Render(template).Options!;

        Assert.Equal(("gpt-4o", 0.3f, 200, 0.8f, 7L), (options.ModelId, options.Temperature, options.MaxOutputTokens, options.TopP, options.Seed));
        Assert.Equal(["###"], options.StopSequences!);
        _ = JsonSerializer.Serialize(1);
    }
}
