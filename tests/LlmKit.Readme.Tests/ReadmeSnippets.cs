using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LlmKit.Readme.Tests;

/// <summary>Reads the repository's READMEs and compiles their C# blocks against the assemblies this test runs with.</summary>
internal static partial class ReadmeSnippets
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(RepositoryRoot, relativePath));

    /// <summary>Returns the C# blocks (```csharp) of a markdown text, each with the heading it sits under.</summary>
    public static IReadOnlyList<(string Heading, string Code)> CSharpBlocks(string markdown)
    {
        var blocks = new List<(string, string)>();
        string heading = "";
        string[] lines = markdown.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.StartsWith('#'))
            {
                heading = line.TrimStart('#').Trim();
            }
            else if (line.Trim() == "```csharp")
            {
                var code = new List<string>();
                for (i++; i < lines.Length && lines[i].TrimEnd('\r').Trim() != "```"; i++)
                {
                    code.Add(lines[i].TrimEnd('\r'));
                }

                blocks.Add((heading, string.Join('\n', code)));
            }
        }

        return blocks;
    }

    /// <summary>The first C# block under a heading.</summary>
    public static string Block(string markdown, string heading) =>
        CSharpBlocks(markdown).First(b => b.Heading == heading).Code;

    /// <summary>The implicit usings of a console project (Microsoft.NET.Sdk with ImplicitUsings on, as <c>dotnet new console</c>).</summary>
    public static readonly string[] ConsoleUsings = ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    /// <summary>The implicit usings of a web project (Microsoft.NET.Sdk.Web, as <c>dotnet new web</c>).</summary>
    public static readonly string[] WebUsings =
    [
        .. ConsoleUsings, "System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http",
        "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting",
        "Microsoft.Extensions.Logging",
    ];

    /// <summary>
    /// Compiles the code as one file of a project whose implicit usings are <paramref name="implicitUsings"/> (every other
    /// using it needs must be in it) and returns the errors, formatted with their line and the line's text.
    /// </summary>
    public static IReadOnlyList<string> CompileErrors(string code, OutputKind kind, string[] implicitUsings)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        SyntaxTree tree = CSharpSyntaxTree.ParseText(code, parse, "snippet.cs");
        SyntaxTree usings = CSharpSyntaxTree.ParseText(string.Concat(implicitUsings.Select(u => $"global using global::{u};\n")), parse, "GlobalUsings.g.cs");
        var compilation = CSharpCompilation.Create(
            "ReadmeSnippet",
            [tree, usings],
            References.Value,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));
        string[] lines = code.Split('\n');
        return compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree == tree)
            .Select(d =>
            {
                int line = d.Location.GetLineSpan().StartLinePosition.Line;
                return $"{d.Id} line {line + 1}: {d.GetMessage()}  | {lines[line].Trim()}";
            })
            .ToList();
    }

    /// <summary>Paths of the repository named in a markdown text: samples/..., src/..., tests/..., benchmarks/..., tools/....</summary>
    public static IEnumerable<string> RepositoryPaths(string markdown) =>
        RepositoryPath().Matches(markdown).Select(m => m.Value.TrimEnd('.', ',', ')', ':', ';')).Distinct(StringComparer.Ordinal);

    [GeneratedRegex(@"(?<![\w/.-])(?:samples|src|tests|benchmarks|tools)/[\w./-]*[\w/]")]
    private static partial Regex RepositoryPath();

    // Everything the test host loaded or can load: the shared frameworks (ASP.NET Core included) and LlmKit's assemblies.
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray());

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlmKit.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("LlmKit.sln not found above " + AppContext.BaseDirectory);
    }
}
