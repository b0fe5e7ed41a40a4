using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace LlmKit.Tests.Shared;

/// <summary>
/// Starts the npm package <c>@copilotkit/aimock</c> (an OpenAI, Anthropic, Gemini and Ollama compatible
/// fake server, MIT) on 127.0.0.1 with the fixture files a test class gives it. The package is installed
/// with npm into a cache folder on first use, so a fresh machine needs only Node and the npm registry.
/// </summary>
public sealed class AimockServer : IAsyncDisposable
{
    /// <summary>The pinned package version.</summary>
    public const string PackageVersion = "1.43.0";

    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private readonly Process _process;
    private readonly string _fixtureDirectory;

    private AimockServer(Process process, Uri baseUri, string fixtureDirectory)
    {
        _process = process;
        BaseUri = baseUri;
        _fixtureDirectory = fixtureDirectory;
    }

    /// <summary>Gets the server's address, such as <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>Installs the package if needed, writes the fixtures and starts the server.</summary>
    /// <param name="fixtures">File name to aimock fixture JSON (<c>{"fixtures":[...]}</c>).</param>
    public static async Task<AimockServer> StartAsync(IReadOnlyDictionary<string, string> fixtures)
    {
        string cli = await EnsureInstalledAsync();
        string dir = Path.Combine(Path.GetTempPath(), "llmkit-aimock-fixtures", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var (name, json) in fixtures)
        {
            await File.WriteAllTextAsync(Path.Combine(dir, name), json);
        }

        int port = FreePort();
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { cli, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-h", "127.0.0.1", "-f", dir, "--log-level", "warn" })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("node could not be started; install Node.js 20 or later.");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var baseUri = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"aimock exited with code {process.ExitCode}: {output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(baseUri, "__aimock/journal"));
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"aimock did not answer on {baseUri} within 30 s: {output}");
            }

            await Task.Delay(100);
        }

        return new AimockServer(process, baseUri, dir);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_fixtureDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<string> EnsureInstalledAsync()
    {
        string root = Environment.GetEnvironmentVariable("LLMKIT_AIMOCK_DIR")
            ?? Path.Combine(Path.GetTempPath(), "llmkit-aimock", PackageVersion);
        string cli = Path.Combine(root, "node_modules", "@copilotkit", "aimock", "dist", "cli.js");
        await InstallLock.WaitAsync();
        try
        {
            if (File.Exists(cli))
            {
                return cli;
            }

            Directory.CreateDirectory(root);
            var info = new ProcessStartInfo("npm")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = root,
            };
            foreach (var arg in new[] { "install", "--no-audit", "--no-fund", "--no-save", "--prefix", root, $"@copilotkit/aimock@{PackageVersion}" })
            {
                info.ArgumentList.Add(arg);
            }

            using var npm = Process.Start(info) ?? throw new InvalidOperationException("npm could not be started; install Node.js 20 or later.");
            string stderr = await npm.StandardError.ReadToEndAsync();
            await npm.StandardOutput.ReadToEndAsync();
            await npm.WaitForExitAsync();
            if (npm.ExitCode != 0 || !File.Exists(cli))
            {
                throw new InvalidOperationException($"npm install @copilotkit/aimock@{PackageVersion} failed ({npm.ExitCode}): {stderr}");
            }

            return cli;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
