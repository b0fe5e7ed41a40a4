using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace LlmKit.Benchmarks;

/// <summary>
/// The npm package <c>tiktoken</c> (OpenAI's Rust tiktoken compiled to WebAssembly) in a Node process that
/// <c>tiktoken-throughput.mjs --serve</c> keeps running, so that its count of the corpus can be measured round by round
/// beside the .NET tokenizers. It is an extra: when Node, npm or the package is not there, <see cref="TryStart"/> says why
/// and the .NET rows are measured without it. The package is installed once with npm into a cache folder under the
/// temporary directory. The time of a count is Node's own (<c>process.hrtime</c>), without the pipe's round trip.
/// </summary>
public sealed class NpmTiktokenProcess : IDisposable
{
    /// <summary>The npm package version measured: 1.0.22.</summary>
    public const string PackageVersion = "1.0.22";

    private readonly Process _node;
    private readonly string _corpusFile;

    private NpmTiktokenProcess(Process node, string corpusFile, string description)
    {
        _node = node;
        _corpusFile = corpusFile;
        Description = description;
    }

    /// <summary>Gets the Node and package versions, as the script reports them.</summary>
    public string Description { get; }

    /// <summary>Starts Node on <paramref name="corpus"/> (installing the package first when needed).</summary>
    /// <param name="corpus">The corpus, documents separated by <see cref="BenchmarkCorpus.Separator"/>.</param>
    /// <param name="process">The running process, or <see langword="null"/>.</param>
    /// <param name="why">Why it could not start, or <see langword="null"/>.</param>
    /// <returns>Whether it started.</returns>
    public static bool TryStart(string corpus, out NpmTiktokenProcess? process, out string? why)
    {
        process = null;
        why = null;
        string corpusFile = Path.Combine(Path.GetTempPath(), $"llmkit-benchmark-corpus-{Environment.ProcessId}.txt");
        try
        {
            string script = Path.Combine(AppContext.BaseDirectory, "Tokenization", "tiktoken-throughput.mjs");
            string modules = Path.Combine(Path.GetTempPath(), "llmkit-benchmarks", "npm-tiktoken-" + PackageVersion);
            if (!File.Exists(Path.Combine(modules, "node_modules", "tiktoken", "package.json")))
            {
                Directory.CreateDirectory(modules);
                using var npm = Process.Start(new ProcessStartInfo("npm", ["install", "--prefix", modules, "--no-audit", "--no-fund", "tiktoken@" + PackageVersion])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                }) ?? throw new InvalidOperationException("npm could not be started");
                string error = npm.StandardError.ReadToEnd();
                npm.StandardOutput.ReadToEnd();
                npm.WaitForExit();
                if (npm.ExitCode != 0)
                {
                    throw new InvalidOperationException($"npm install tiktoken@{PackageVersion} failed ({npm.ExitCode}): {error.Trim()}");
                }
            }

            File.WriteAllText(corpusFile, corpus, new UTF8Encoding(false));
            var node = Process.Start(new ProcessStartInfo("node", [script, "--serve", corpusFile, Path.Combine(modules, "node_modules")])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = false,
            }) ?? throw new InvalidOperationException("node could not be started");
            string? ready = node.StandardOutput.ReadLine();
            if (ready is null || !ready.StartsWith("ready ", StringComparison.Ordinal))
            {
                node.Kill();
                node.Dispose();
                throw new InvalidOperationException($"the script did not start (it said: {ready ?? "nothing"})");
            }

            process = new NpmTiktokenProcess(node, corpusFile, ready["ready ".Length..]);
            return true;
        }
#pragma warning disable CA1031 // An extra: any failure leaves it out of the run, with the reason printed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            File.Delete(corpusFile);
            why = ex.Message;
            return false;
        }
    }

    /// <summary>Counts the corpus document by document once in Node.</summary>
    /// <param name="encoding">The encoding, such as <c>o200k_base</c>.</param>
    /// <returns>Node's time for the count, and the tokens counted.</returns>
    public (TimeSpan Elapsed, int Tokens) Count(string encoding)
    {
        _node.StandardInput.WriteLine(encoding);
        _node.StandardInput.Flush();
        string line = _node.StandardOutput.ReadLine() ?? throw new InvalidOperationException("Node ended without an answer.");
        string[] parts = line.Split(' ');
        if (parts.Length != 3 || parts[0] != encoding)
        {
            throw new InvalidOperationException($"Unexpected answer from Node: {line}");
        }

        return (TimeSpan.FromMilliseconds(double.Parse(parts[1], CultureInfo.InvariantCulture)), int.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    /// <summary>Ends Node and deletes the corpus file.</summary>
    public void Dispose()
    {
        try
        {
            _node.StandardInput.WriteLine("quit");
            _node.StandardInput.Flush();
            if (!_node.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _node.Kill();
            }
        }
        catch (IOException)
        {
            // Node already ended.
        }

        _node.Dispose();
        File.Delete(_corpusFile);
    }
}
