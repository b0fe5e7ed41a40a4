using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace LlmKit.Stores.Tests.Redis;

/// <summary>
/// A throw-away Redis server for the tests: <c>redis-server</c> on a free loopback port (127.0.0.1 only, no persistence,
/// its working directory temporary), stopped at the end. The binary comes from <c>LLMKIT_REDIS_SERVER</c>, else the PATH,
/// else <c>/usr/bin</c>; when it is missing and the tests run as root it is installed (<c>apt-get install -y
/// redis-server</c>), otherwise every test of the collection fails naming that command: they are never skipped.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private const string InstallCommand = "apt-get install -y redis-server";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "llmkit-redis-" + Guid.NewGuid().ToString("N"));
    private Process? _server;

    public int Port { get; private set; }

    /// <summary>Gets the StackExchange.Redis configuration string of the server.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port},abortConnect=false,connectTimeout=30000,syncTimeout=30000,asyncTimeout=30000");

    public async Task InitializeAsync()
    {
        string binary = await FindOrInstallAsync();
        Directory.CreateDirectory(_directory);
        Port = FreePort();
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _directory };
        foreach (string a in new[] { "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory, "--daemonize", "no", "--protected-mode", "yes" })
        {
            info.ArgumentList.Add(a);
        }

        _server = Process.Start(info) ?? throw new InvalidOperationException($"Cannot start '{binary}'.");
        var output = new System.Text.StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"redis-server exited before it was ready:\n{output}"));
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        _server.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await ready.Task;
    }

    public async Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill();
            await _server.WaitForExitAsync();
        }

        _server?.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static async Task<string> FindOrInstallAsync()
    {
        if (Find() is { } found)
        {
            return found;
        }

        bool root = (await RunAsync("id", ["-u"])).Output.Trim() == "0";
        if (!root)
        {
            throw new InvalidOperationException($"redis-server was not found (LLMKIT_REDIS_SERVER, PATH, /usr/bin) and the tests do not run as root to install it. Install it: sudo {InstallCommand} (.ci/run does this).");
        }

        var install = await RunAsync("apt-get", ["install", "-y", "redis-server"]);
        if (install.Exit != 0)
        {
            await RunAsync("apt-get", ["update"]);
            install = await RunAsync("apt-get", ["install", "-y", "redis-server"]);
        }

        return Find() ?? throw new InvalidOperationException($"'{InstallCommand}' did not install redis-server (exit code {install.Exit}):\n{install.Output}");
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("LLMKIT_REDIS_SERVER") is { Length: > 0 } configured)
        {
            return configured;
        }

        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/sbin"))
        {
            string candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Cannot start '{file}'.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
