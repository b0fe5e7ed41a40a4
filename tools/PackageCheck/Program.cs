// Checks every .nupkg in a folder: README with a code block, licence, repository metadata, SourceLink and symbols,
// no test-only or pinned-workaround dependency, and no empty package. Prints each package with its dependencies.
// Usage: PackageCheck <folder with .nupkg and .snupkg files> <repository root>
using System.IO.Compression;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: PackageCheck <package folder> <repository root>");
    return 2;
}

string folder = args[0];
string root = args[1];
bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
HashSet<string> forbidden = ForbiddenDependencies(Path.Combine(root, "Directory.Packages.props"));
string[] packages = Directory.GetFiles(folder, "*.nupkg").Order(StringComparer.Ordinal).ToArray();
var failures = new List<string>();
if (packages.Length == 0)
{
    failures.Add($"no package in {folder}");
}

foreach (string path in packages)
{
    using ZipArchive zip = ZipFile.OpenRead(path);
    ZipArchiveEntry nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
    XDocument nuspec;
    using (Stream s = nuspecEntry.Open())
    {
        nuspec = XDocument.Load(s);
    }

    XNamespace ns = nuspec.Root!.Name.Namespace;
    XElement metadata = nuspec.Root.Element(ns + "metadata")!;
    string id = metadata.Element(ns + "id")!.Value;
    string version = metadata.Element(ns + "version")!.Value;
    bool tool = metadata.Element(ns + "packageTypes")?.Elements(ns + "packageType").Any(e => (string?)e.Attribute("name") == "DotnetTool") == true;
    var problems = new List<string>();
    void Check(bool ok, string problem)
    {
        if (!ok)
        {
            problems.Add(problem);
        }
    }

    // README with real code.
    string? readme = metadata.Element(ns + "readme")?.Value;
    string? readmeText = readme is null ? null : ReadText(zip, readme);
    Check(readmeText is not null, "no README in the package (PackageReadmeFile)");
    Check(readmeText is null || Regex.IsMatch(readmeText, @"^```[a-z]*\r?\n\s*\S.*?^```", RegexOptions.Multiline | RegexOptions.Singleline), "README has no code block");

    // Licence: an expression or a file, and the LICENSE text in the package.
    XElement? license = metadata.Element(ns + "license");
    Check(license is not null, "no <license> in the nuspec");
    Check(zip.Entries.Any(e => Regex.IsMatch(e.FullName, @"^LICEN[CS]E(\.txt|\.md)?$", RegexOptions.IgnoreCase)), "no LICENSE file in the package");

    // Repository metadata and project URL.
    XElement? repository = metadata.Element(ns + "repository");
    string? repositoryUrl = (string?)repository?.Attribute("url");
    Check((string?)repository?.Attribute("type") == "git", "no <repository type=\"git\">");
    Check(repositoryUrl?.StartsWith("https://", StringComparison.Ordinal) == true, $"repository url is not https: '{repositoryUrl}'");
    Check(Regex.IsMatch((string?)repository?.Attribute("commit") ?? "", "^[0-9a-f]{40}$"), "repository commit missing");
    Check(metadata.Element(ns + "projectUrl")?.Value.StartsWith("https://", StringComparison.Ordinal) == true, "no https projectUrl");

    // Dependencies as users get them.
    var dependencies = metadata.Descendants(ns + "dependency")
        .Select(d => $"{(string)d.Attribute("id")!} {(string?)d.Attribute("version")}")
        .Distinct(StringComparer.Ordinal)
        .ToList();
    foreach (string dependency in dependencies)
    {
        string dependencyId = dependency.Split(' ')[0];
        Check(!forbidden.Contains(dependencyId), $"dependency {dependencyId} is test-only, a pinned workaround or a full implementation a library should not force on its users");
    }

    // Not empty: the main assembly has at least one public type.
    string assemblyFolder = tool ? "tools/" : "lib/";
    var assemblies = zip.Entries.Where(e => e.FullName.StartsWith(assemblyFolder, StringComparison.Ordinal) && e.FullName.EndsWith(".dll", StringComparison.Ordinal)).ToList();
    ZipArchiveEntry? main = assemblies.FirstOrDefault(e => string.Equals(Path.GetFileNameWithoutExtension(e.Name), id, StringComparison.OrdinalIgnoreCase));
    int publicTypes = main is null ? 0 : CountPublicTypes(main);
    Check(main is not null, $"no {assemblyFolder}.../{id}.dll");
    Check(tool || publicTypes > 0, "the assembly has no public type");
    if (tool)
    {
        // An app carries full implementations (DI, configuration, SQLite); only test and benchmark code is out of place.
        string[] testOnly = ["xunit", "Microsoft.NET.Test", "Microsoft.TestPlatform", "Microsoft.VisualStudio.TestPlatform", "testhost", "NSubstitute", "Castle.Core", "FsCheck", "FSharp.Core", "BenchmarkDotNet"];
        foreach (ZipArchiveEntry dll in assemblies)
        {
            Check(!testOnly.Any(t => dll.Name.StartsWith(t, StringComparison.OrdinalIgnoreCase)), $"the tool ships {dll.Name}, a test-only assembly");
        }

        Check(!zip.Entries.Any(e => e.FullName.EndsWith(".xml", StringComparison.Ordinal) && e.FullName.StartsWith("tools/", StringComparison.Ordinal) && e.Name != "DotnetToolSettings.xml"), "the tool ships XML documentation files");
    }

    // Symbols with SourceLink to the repository; deterministic paths in CI.
    string symbols = Path.ChangeExtension(path, ".snupkg");
    string sourceLink = "none";
    bool deterministic = false;
    if (File.Exists(symbols))
    {
        using ZipArchive symbolZip = ZipFile.OpenRead(symbols);
        ZipArchiveEntry? pdb = symbolZip.Entries.FirstOrDefault(e => string.Equals(e.Name, id + ".pdb", StringComparison.OrdinalIgnoreCase));
        if (pdb is not null)
        {
            (sourceLink, deterministic) = ReadPdb(pdb);
        }
    }

    Check(File.Exists(symbols), "no symbol package (.snupkg)");
    Check(repositoryUrl is null || sourceLink.Contains(repositoryUrl.Replace("https://github.com/", "https://raw.githubusercontent.com/", StringComparison.Ordinal), StringComparison.Ordinal), $"SourceLink does not point at the repository: {sourceLink}");
    Check(!ci || deterministic, "source paths are not deterministic (/_/) in a CI build");

    long size = new FileInfo(path).Length;
    Console.WriteLine(tool
        ? $"{id} {version} (dotnet tool): {size / 1024} KB, {assemblies.Count} assemblies, {zip.Entries.Count} files"
        : $"{id} {version}: {size / 1024} KB, {publicTypes} public types in {id}.dll");
    Console.WriteLine(tool
        ? "  dependencies: none (a tool carries its assemblies: " + string.Join(", ", assemblies.Select(a => Path.GetFileNameWithoutExtension(a.Name)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)) + ")"
        : "  dependencies: " + (dependencies.Count == 0 ? "none" : string.Join(", ", dependencies)));
    foreach (string problem in problems)
    {
        Console.WriteLine($"  FAIL: {problem}");
        failures.Add($"{id}: {problem}");
    }
}

Console.WriteLine(failures.Count == 0
    ? $"package check: {packages.Length} packages, all checks passed"
    : $"package check: {failures.Count} problem(s) in {packages.Length} packages");
return failures.Count == 0 ? 0 : 1;

static HashSet<string> ForbiddenDependencies(string centralVersions)
{
    // Test, benchmark and sample packages and the pinned transitive versions of Directory.Packages.props...
    var forbidden = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    foreach (XElement group in XDocument.Load(centralVersions).Descendants("ItemGroup"))
    {
        string label = (string?)group.Attribute("Label") ?? "";
        if (label.Contains("Pinned", StringComparison.OrdinalIgnoreCase) || label.Contains("Test", StringComparison.OrdinalIgnoreCase) || label.Contains("Benchmark", StringComparison.OrdinalIgnoreCase))
        {
            forbidden.UnionWith(group.Elements("PackageVersion").Select(e => (string)e.Attribute("Include")!));
        }
    }

    // ...whatever the labels say, and the full implementations a library leaves to the host (it uses their abstractions).
    forbidden.UnionWith([
        "xunit", "xunit.core", "xunit.assert", "xunit.runner.visualstudio", "Microsoft.NET.Test.Sdk", "NSubstitute", "FsCheck", "BenchmarkDotNet",
        "SQLitePCLRaw.bundle_e_sqlite3", "SQLitePCLRaw.core", "Microsoft.SourceLink.GitHub",
        "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Logging", "Microsoft.Extensions.Configuration", "Microsoft.Extensions.Hosting",
        "Microsoft.Extensions.Logging.Console", "Microsoft.Extensions.Configuration.Json", "Microsoft.Extensions.Configuration.EnvironmentVariables",
    ]);
    return forbidden;
}

static string? ReadText(ZipArchive zip, string name)
{
    ZipArchiveEntry? entry = zip.GetEntry(name.Replace('\\', '/'));
    if (entry is null)
    {
        return null;
    }

    using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
    return reader.ReadToEnd();
}

static int CountPublicTypes(ZipArchiveEntry dll)
{
    using var buffer = new MemoryStream();
    using (Stream s = dll.Open())
    {
        s.CopyTo(buffer);
    }

    buffer.Position = 0;
    using var pe = new PEReader(buffer);
    MetadataReader reader = pe.GetMetadataReader();
    return reader.TypeDefinitions.Select(reader.GetTypeDefinition).Count(t => (t.Attributes & TypeAttributes.VisibilityMask) == TypeAttributes.Public);
}

static (string SourceLink, bool Deterministic) ReadPdb(ZipArchiveEntry pdb)
{
    var sourceLinkKind = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    using var buffer = new MemoryStream();
    using (Stream s = pdb.Open())
    {
        s.CopyTo(buffer);
    }

    buffer.Position = 0;
    using MetadataReaderProvider provider = MetadataReaderProvider.FromPortablePdbStream(buffer, MetadataStreamOptions.LeaveOpen);
    MetadataReader reader = provider.GetMetadataReader();
    string sourceLink = "none";
    foreach (CustomDebugInformationHandle handle in reader.CustomDebugInformation)
    {
        CustomDebugInformation info = reader.GetCustomDebugInformation(handle);
        if (reader.GetGuid(info.Kind) == sourceLinkKind)
        {
            sourceLink = Encoding.UTF8.GetString(reader.GetBlobBytes(info.Value));
        }
    }

    bool deterministic = reader.Documents.Select(h => reader.GetString(reader.GetDocument(h).Name)).All(n => n.StartsWith("/_/", StringComparison.Ordinal));
    return (sourceLink, deterministic);
}
