using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace LlmKit.Stores.Tests.PostgreSql;

/// <summary>
/// A throw-away PostgreSQL server for the tests: <c>initdb</c> into a temporary directory, <c>pg_ctl start</c> on a free
/// loopback port (127.0.0.1 only, its Unix socket in the temporary directory), stopped and deleted at the end. The
/// binaries come from <c>LLMKIT_PG_BIN</c>, else the newest <c>/usr/lib/postgresql/*/bin</c>, else the PATH. PostgreSQL
/// refuses to run as root, so as root the server runs as the <c>postgres</c> user. When the server cannot start every
/// test of the collection fails: they are never skipped.
/// </summary>
public sealed class PostgreSqlServerFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "llmkit-pg-" + Guid.NewGuid().ToString("N"));
    private readonly List<NpgsqlDataSource> _dataSources = [];
    private string _bin = string.Empty;
    private bool _asPostgresUser;
    private int _databases;

    public int Port { get; private set; }

    public string AdminConnectionString => string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=llmkit;Database=postgres;Timeout=30;Command Timeout=120");

    public async Task InitializeAsync()
    {
        _asPostgresUser = (await RunAsync("id", ["-u"], asPostgres: false)).Output.Trim() == "0";
        _bin = await FindOrInstallBinariesAsync(_asPostgresUser);
        Directory.CreateDirectory(_directory);
        if (_asPostgresUser)
        {
            await RunCheckedAsync("chown", ["postgres", _directory], asPostgres: false);
        }

        string data = Path.Combine(_directory, "data");
        await RunCheckedAsync(Path.Combine(_bin, "initdb"), ["-D", data, "-U", "llmkit", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], _asPostgresUser);
        Port = FreePort();
        string options = string.Create(CultureInfo.InvariantCulture, $"-p {Port} -h 127.0.0.1 -k {_directory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400");
        await RunCheckedAsync(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60", "-o", options, "start"], _asPostgresUser);
    }

    /// <summary>Creates a new, empty database and returns a data source for it (disposed with the fixture).</summary>
    public async Task<NpgsqlDataSource> CreateDatabaseAsync()
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"llmkit_test_{Interlocked.Increment(ref _databases)}");
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name};", admin);
            await create.ExecuteNonQueryAsync();
        }

        var dataSource = NpgsqlDataSource.Create(string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=llmkit;Database={name};Maximum Pool Size=40;Connection Idle Lifetime=2;Connection Pruning Interval=1;Timeout=60;Command Timeout=120"));
        lock (_dataSources)
        {
            _dataSources.Add(dataSource);
        }

        return dataSource;
    }

    public async Task DisposeAsync()
    {
        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }

        if (Port != 0)
        {
            await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"], _asPostgresUser);
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>
    /// The installed binaries; when there are none and the tests run as root, installs the Debian package first
    /// (<c>apt-get install -y postgresql</c>, after <c>apt-get update</c> if the first try fails), like the Redis fixture.
    /// </summary>
    private static async Task<string> FindOrInstallBinariesAsync(bool root)
    {
        if (FindBinaries() is { } found)
        {
            return found;
        }

        if (!root)
        {
            throw new InvalidOperationException("PostgreSQL's initdb and pg_ctl were not found (LLMKIT_PG_BIN, /usr/lib/postgresql/*/bin, PATH) and the tests do not run as root to install them. Install PostgreSQL: sudo apt-get install -y postgresql (.ci/run does this).");
        }

        var install = await RunAsync("apt-get", ["install", "-y", "postgresql"], asPostgres: false);
        if (install.Exit != 0)
        {
            await RunAsync("apt-get", ["update"], asPostgres: false);
            install = await RunAsync("apt-get", ["install", "-y", "postgresql"], asPostgres: false);
        }

        return FindBinaries() ?? throw new InvalidOperationException($"'apt-get install -y postgresql' did not install initdb and pg_ctl (exit code {install.Exit}):\n{install.Output}");
    }

    private static string? FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("LLMKIT_PG_BIN") is { Length: > 0 } configured)
        {
            return configured;
        }

        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: double.TryParse(Path.GetFileName(d), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : 0))
                .Where(x => File.Exists(Path.Combine(x.Dir, "initdb")) && File.Exists(Path.Combine(x.Dir, "pg_ctl")))
                .OrderByDescending(x => x.Version)
                .Select(x => x.Dir)
                .FirstOrDefault()
            : null;
        if (installed is not null)
        {
            return installed;
        }

        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            {
                return dir;
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

    private async Task RunCheckedAsync(string file, string[] args, bool asPostgres)
    {
        var (exit, output) = await RunAsync(file, args, asPostgres);
        if (exit != 0)
        {
            string log = Path.Combine(_directory, "server.log");
            string tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(20)) : string.Empty;
            throw new InvalidOperationException($"'{file} {string.Join(' ', args)}' failed with exit code {exit}:\n{output}\n{tail}");
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] args, bool asPostgres)
    {
        var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        if (asPostgres && File.Exists("/usr/sbin/runuser") || asPostgres && File.Exists("/sbin/runuser"))
        {
            info.FileName = "runuser";
            foreach (string a in new[] { "-u", "postgres", "--", file })
            {
                info.ArgumentList.Add(a);
            }
        }
        else if (asPostgres)
        {
            info.FileName = "su";
            foreach (string a in new[] { "postgres", "-s", "/bin/sh", "-c", string.Join(' ', new[] { file }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'")) })
            {
                info.ArgumentList.Add(a);
            }

            args = [];
        }
        else
        {
            info.FileName = file;
        }

        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Cannot start '{file}'.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
