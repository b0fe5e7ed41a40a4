using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace LlmKit.Tests.Tokenization;

/// <summary>
/// Generates the conformance corpus and encodes it once with the reference implementation, the npm package
/// <c>tiktoken</c> (OpenAI's Rust tiktoken compiled to WebAssembly), installed on first use into a cache folder.
/// </summary>
/// <remarks>
/// <para>
/// The corpus is <see cref="CorpusSize"/> FsCheck-generated texts from a seed (the environment variable
/// <c>LLMKIT_TOKENIZER_SEED</c> when set, else a fresh one, printed by the tests and in their failure messages),
/// plus <see cref="TokenizerCorpus.EveryCodePoint"/>.
/// </para>
/// <para>
/// Texts travel to node as JSON strings with every non-ASCII UTF-16 code unit escaped, so JavaScript sees exactly
/// the .NET string, lone surrogates included. The tiktoken bindings pass strings to WebAssembly as UTF-8 through
/// <c>TextEncoder</c>, which turns each lone surrogate into U+FFFD; <see cref="TiktokenTokenizer"/> encodes text
/// with <see cref="Encoding.UTF8"/>, which does the same, so both tokenize the same bytes.
/// </para>
/// <para>
/// Needs <c>node</c> and <c>npm</c> on the PATH and, the first time, the npm registry. The cache folder is
/// <c>LLMKIT_TIKTOKEN_REFERENCE_DIR</c> when set, else <c>llmkit-tiktoken-reference-1.0.22</c> in the temp folder.
/// </para>
/// </remarks>
public sealed class TiktokenReferenceFixture : IAsyncLifetime
{
    /// <summary>The version of the npm package tiktoken used as the reference.</summary>
    public const string ReferenceVersion = "1.0.22";

    /// <summary>The number of generated texts.</summary>
    public const int CorpusSize = 100_000;

    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan s_encodeTimeout = TimeSpan.FromMinutes(3);

    private readonly IMessageSink _sink;

    /// <summary>Initializes a new instance of the <see cref="TiktokenReferenceFixture"/> class.</summary>
    /// <param name="sink">Receives diagnostic messages.</param>
    public TiktokenReferenceFixture(IMessageSink sink)
    {
        _sink = sink;
        string? configured = Environment.GetEnvironmentVariable("LLMKIT_TOKENIZER_SEED");
        Seed = string.IsNullOrWhiteSpace(configured)
            ? (ulong)Random.Shared.NextInt64(long.MaxValue)
            : ulong.Parse(configured, CultureInfo.InvariantCulture);
    }

    /// <summary>Gets the seed of the generated texts.</summary>
    public ulong Seed { get; }

    /// <summary>Gets the generated texts.</summary>
    public string[] Generated { get; private set; } = [];

    /// <summary>Gets the texts of the code point sweep.</summary>
    public IReadOnlyList<string> CodePointSweep { get; private set; } = [];

    /// <summary>Gets the generated texts that contain <c>&lt;|</c>, encoded with special tokens allowed.</summary>
    public IReadOnlyList<string> WithSpecialTokens { get; private set; } = [];

    /// <summary>Gets a line to print with results and failures: the seed and how to replay it.</summary>
    public string SeedNote => $"seed {Seed} (replay with LLMKIT_TOKENIZER_SEED={Seed})";

    private Dictionary<string, Expected> Reference { get; } = [];

    /// <summary>Gets the reference token ids of an encoding.</summary>
    /// <param name="encoding">The encoding name.</param>
    /// <returns>The ids of <see cref="Generated"/>, <see cref="CodePointSweep"/> and <see cref="WithSpecialTokens"/>.</returns>
    public Expected For(string encoding) => Reference[encoding];

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        Generated = TokenizerCorpus.Generate(Seed, CorpusSize);
        CodePointSweep = TokenizerCorpus.EveryCodePoint();
        WithSpecialTokens = Generated.Where(t => t.Contains("<|", StringComparison.Ordinal)).ToList();
        Log($"generated {Generated.Length} texts ({Generated.Sum(t => (long)t.Length)} chars) with {SeedNote}, {CodePointSweep.Count} sweep texts, {WithSpecialTokens.Count} with special tokens in {clock.ElapsedMilliseconds} ms");

        string modules = await EnsureReferenceInstalledAsync().ConfigureAwait(false);
        string work = Path.Combine(Path.GetTempPath(), "llmkit-tiktoken-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            string script = Path.Combine(work, "reference.cjs");
            string corpus = Path.Combine(work, "corpus.jsonl");
            await File.WriteAllTextAsync(script, ReferenceScript).ConfigureAwait(false);
            await WriteCorpusAsync(corpus).ConfigureAwait(false);
            clock.Restart();

            string output = Path.Combine(work, "ids.bin");
            await RunAsync("node", [script, modules, corpus, output, TokenizerEncodings.O200kBase, TokenizerEncodings.Cl100kBase], s_encodeTimeout).ConfigureAwait(false);
            Log($"reference tiktoken {ReferenceVersion} encoded the corpus in {clock.ElapsedMilliseconds} ms");
            ReadIds(await File.ReadAllBytesAsync(output).ConfigureAwait(false), TokenizerEncodings.O200kBase, TokenizerEncodings.Cl100kBase);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <inheritdoc/>
    public Task DisposeAsync() => Task.CompletedTask;

    private void ReadIds(byte[] data, params string[] encodings)
    {
        int offset = 0;
        int[][] Read(int count)
        {
            int[][] result = new int[count][];
            for (int i = 0; i < count; i++)
            {
                int length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(offset));
                offset += 4;
                int[] ids = new int[length];
                for (int j = 0; j < length; j++, offset += 4)
                {
                    ids[j] = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(offset));
                }

                result[i] = ids;
            }

            return result;
        }

        foreach (string encoding in encodings)
        {
            Reference[encoding] = new Expected(Read(Generated.Length), Read(CodePointSweep.Count), Read(WithSpecialTokens.Count));
        }

        if (offset != data.Length)
        {
            throw new InvalidOperationException($"The reference output has {data.Length - offset} unread bytes.");
        }
    }

    private async Task WriteCorpusAsync(string path)
    {
        var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        await using (writer.ConfigureAwait(false))
        {
            var line = new StringBuilder();
            foreach (string text in Generated.Concat(CodePointSweep))
            {
                await writer.WriteLineAsync(Json(line, text, special: false)).ConfigureAwait(false);
            }

            foreach (string text in WithSpecialTokens)
            {
                await writer.WriteLineAsync(Json(line, text, special: true)).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes a JSON string with every code unit outside printable ASCII escaped, lone surrogates included.</summary>
    private static string Json(StringBuilder line, string text, bool special)
    {
        line.Clear().Append(special ? "{\"special\":true,\"s\":\"" : "\"");
        foreach (char c in text)
        {
            if (c is '"' or '\\')
            {
                line.Append('\\').Append(c);
            }
            else if (c is >= ' ' and < '\u007F')
            {
                line.Append(c);
            }
            else
            {
                line.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        return line.Append(special ? "\"}" : "\"").ToString();
    }

    private async Task<string> EnsureReferenceInstalledAsync()
    {
        string root = Environment.GetEnvironmentVariable("LLMKIT_TIKTOKEN_REFERENCE_DIR") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Path.GetTempPath(), "llmkit-tiktoken-reference-" + ReferenceVersion);
        string modules = Path.Combine(root, "node_modules");
        string manifest = Path.Combine(modules, "tiktoken", "package.json");
        if (File.Exists(manifest) && (await File.ReadAllTextAsync(manifest).ConfigureAwait(false)).Contains($"\"version\": \"{ReferenceVersion}\"", StringComparison.Ordinal))
        {
            return modules;
        }

        // Install into a fresh folder, then move it into place, so concurrent runs never see half an install.
        string staging = root + ".staging-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(staging);
        var clock = Stopwatch.StartNew();
        try
        {
            await RunAsync(
                OperatingSystem.IsWindows() ? "npm.cmd" : "npm",
                ["install", "--no-audit", "--no-fund", "--no-save", "--no-package-lock", "--prefix", staging, "tiktoken@" + ReferenceVersion],
                s_installTimeout).ConfigureAwait(false);
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }

            Directory.Move(staging, root);
            Log($"installed tiktoken@{ReferenceVersion} into {root} in {clock.ElapsedMilliseconds} ms");
        }
        catch (IOException) when (File.Exists(manifest))
        {
            // Another run installed it first.
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        return modules;
    }

    private static async Task RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{fileName}' could not be started; the tiktoken conformance tests need node and npm on the PATH.", e);
        }

        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {string.Join(' ', start.ArgumentList)}' did not finish within {timeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{fileName} {string.Join(' ', start.ArgumentList)}' exited with {process.ExitCode}: {await error.ConfigureAwait(false)}{await output.ConfigureAwait(false)}");
        }
    }

    private void Log(string message) => _sink.OnMessage(new DiagnosticMessage("[tiktoken conformance] " + message));

    /// <summary>The reference ids of one encoding.</summary>
    /// <param name="Generated">The ids of each generated text, encoded with special tokens as plain text.</param>
    /// <param name="CodePointSweep">The ids of each sweep text.</param>
    /// <param name="WithSpecialTokens">The ids of each text with special tokens, encoded with special tokens allowed.</param>
    public sealed record Expected(int[][] Generated, int[][] CodePointSweep, int[][] WithSpecialTokens);

    private const string ReferenceScript = """
        // Encodes every line of a corpus with the npm package tiktoken and writes the ids: for each encoding named on
        // the command line, for each line, an int32 count then the int32 ids (little-endian). A line is a JSON string
        // (encoded with special tokens as plain text, encode_ordinary) or {"special":true,"s":...} (all allowed).
        "use strict";
        const fs = require("fs");
        const path = require("path");
        const [, , modulesDir, corpusPath, outPath, ...encodings] = process.argv;
        const { get_encoding } = require(path.join(modulesDir, "tiktoken"));
        const lines = fs.readFileSync(corpusPath, "utf8").split("\n");
        if (lines[lines.length - 1] === "") lines.pop();
        const items = lines.map((line) => JSON.parse(line));
        const out = fs.openSync(outPath, "w");
        const chunk = Buffer.alloc(1 << 20);
        let used = 0;
        const flush = () => { fs.writeSync(out, chunk, 0, used); used = 0; };
        const writeInt = (value) => { if (used + 4 > chunk.length) flush(); chunk.writeInt32LE(value, used); used += 4; };
        for (const name of encodings) {
          const encoding = get_encoding(name);
          for (const item of items) {
            const ids = typeof item === "string" ? encoding.encode_ordinary(item) : encoding.encode(item.s, "all");
            writeInt(ids.length);
            for (let i = 0; i < ids.length; i++) writeInt(ids[i]);
          }
          encoding.free();
        }
        flush();
        fs.closeSync(out);
        """;
}
