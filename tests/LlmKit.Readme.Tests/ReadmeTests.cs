using Microsoft.CodeAnalysis;

namespace LlmKit.Readme.Tests;

public class ReadmeTests
{
    [Fact]
    public void Readme_AspNetSnippet_CompilesAsPasted()
    {
        string code = ReadmeSnippets.Block(ReadmeSnippets.Read("README.md"), "Use it in an ASP.NET app");

        Assert.Empty(ReadmeSnippets.CompileErrors(code, OutputKind.ConsoleApplication, ReadmeSnippets.WebUsings));
    }

    [Fact]
    public void Readme_ResponseCacheSnippets_CompileAsPasted()
    {
        var blocks = ReadmeSnippets.CSharpBlocks(ReadmeSnippets.Read("README.md")).Where(b => b.Heading == "Response cache").ToList();

        Assert.Equal(2, blocks.Count);
        Assert.All(blocks, b => Assert.Empty(ReadmeSnippets.CompileErrors(b.Code, OutputKind.ConsoleApplication, ReadmeSnippets.ConsoleUsings)));
    }

    [Fact]
    public void Readme_ToolsSnippet_CompilesAsPasted()
    {
        string code = ReadmeSnippets.Block(ReadmeSnippets.Read("README.md"), "Tools");

        Assert.Empty(ReadmeSnippets.CompileErrors(code, OutputKind.ConsoleApplication, ReadmeSnippets.ConsoleUsings));
    }

    [Fact]
    public void Readme_StructuredOutputSnippet_CompilesAsPasted()
    {
        string code = ReadmeSnippets.Block(ReadmeSnippets.Read("README.md"), "Structured output");

        Assert.Empty(ReadmeSnippets.CompileErrors(code, OutputKind.ConsoleApplication, ReadmeSnippets.ConsoleUsings));
    }

    [Fact]
    public void Readme_KnowledgeSnippet_CompilesAsPasted()
    {
        string code = ReadmeSnippets.Block(ReadmeSnippets.Read("README.md"), "Knowledge: ingest, search, ask with citations");

        Assert.Empty(ReadmeSnippets.CompileErrors(code, OutputKind.ConsoleApplication, ReadmeSnippets.ConsoleUsings));
    }

    [Fact]
    public void Readme_TemplateEnginesAndPersonasSnippet_CompilesAsPasted()
    {
        string code = ReadmeSnippets.Block(ReadmeSnippets.Read("README.md"), "Template engines, personas");

        Assert.Contains("{% include \"persona\" %}", code, StringComparison.Ordinal);
        Assert.Empty(ReadmeSnippets.CompileErrors(code, OutputKind.ConsoleApplication, ReadmeSnippets.ConsoleUsings));
    }

    [Fact]
    public void Readme_OpenAIEndpointsSnippet_CompilesAsPasted()
    {
        string code = ReadmeSnippets.Block(ReadmeSnippets.Read("README.md"), "OpenAI-compatible REST endpoints");

        Assert.Contains("app.MapLlmKitOpenAI();", code, StringComparison.Ordinal);
        Assert.Empty(ReadmeSnippets.CompileErrors(code, OutputKind.ConsoleApplication, ReadmeSnippets.WebUsings));
    }

    [Fact]
    public void Readme_NamedRepositoryFiles_Exist()
    {
        string readme = ReadmeSnippets.Read("README.md");

        var missing = ReadmeSnippets.RepositoryPaths(readme)
            .Where(p => !File.Exists(Path.Combine(ReadmeSnippets.RepositoryRoot, p)) && !Directory.Exists(Path.Combine(ReadmeSnippets.RepositoryRoot, p)))
            .ToList();

        Assert.Empty(missing);
        Assert.Contains("samples/prompts/support-answer.prompty", ReadmeSnippets.RepositoryPaths(readme));
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("src/LlmKit/README.md")]
    [InlineData("src/LlmKit.Abstractions/README.md")]
    [InlineData("src/LlmKit.AspNetCore/README.md")]
    [InlineData("src/LlmKit.OpenAI/README.md")]
    [InlineData("src/LlmKit.Anthropic/README.md")]
    [InlineData("src/LlmKit.Gemini/README.md")]
    [InlineData("src/LlmKit.Sqlite/README.md")]
    [InlineData("src/LlmKit.PostgreSql/README.md")]
    [InlineData("src/LlmKit.Testing/README.md")]
    [InlineData("samples/LlmKit.Cli/README.md")]
    public void Readme_LinksOnlyInsideTheRepository(string path)
    {
        string text = ReadmeSnippets.Read(path);

        Assert.DoesNotContain("../shared", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ARCHITECTURE.md", text, StringComparison.Ordinal);
        Assert.DoesNotContain("CLI.md", text, StringComparison.Ordinal);
    }

    [Fact]
    public void LlmKitPackageReadme_FirstExample_CompilesAsPasted()
    {
        string code = ReadmeSnippets.CSharpBlocks(ReadmeSnippets.Read("src/LlmKit/README.md"))[0].Code;

        Assert.Empty(ReadmeSnippets.CompileErrors(code, OutputKind.ConsoleApplication, ReadmeSnippets.ConsoleUsings));
    }

    [Fact]
    public void AbstractionsPackageReadme_ProviderExample_CompilesAsPasted()
    {
        string code = ReadmeSnippets.CSharpBlocks(ReadmeSnippets.Read("src/LlmKit.Abstractions/README.md"))[0].Code;

        Assert.Empty(ReadmeSnippets.CompileErrors(code, OutputKind.DynamicallyLinkedLibrary, ReadmeSnippets.ConsoleUsings));
    }

    [Fact]
    public void AspNetCoreReadme_Example_CompilesAsPasted()
    {
        string code = ReadmeSnippets.CSharpBlocks(ReadmeSnippets.Read("src/LlmKit.AspNetCore/README.md"))[0].Code;

        Assert.Empty(ReadmeSnippets.CompileErrors(code, OutputKind.ConsoleApplication, ReadmeSnippets.WebUsings));
    }
}
