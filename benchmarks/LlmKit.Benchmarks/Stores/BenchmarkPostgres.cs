using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace LlmKit.Benchmarks;

/// <summary>
/// A PostgreSQL server for the store benchmarks, started from the installed binaries (<c>/usr/lib/postgresql/*/bin</c>)
/// on a free loopback port over a data directory kept between runs (so the seeded data survives), stopped at the end.
/// As root the server runs as the <c>postgres</c> user. <c>LLMKIT_BENCH_PG_OPTIONS</c> adds server options (for example
/// <c>-c synchronous_commit=off</c>).
/// </summary>
internal sealed class BenchmarkPostgres : IDisposable
{
    private readonly string _bin;
    private readonly string _data;
    private readonly bool _asPostgres;

    private BenchmarkPostgres(string bin, string data, bool asPostgres, int port)
    {
        _bin = bin;
        _data = data;
        _asPostgres = asPostgres;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database) => string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=llmkit;Database={database};Maximum Pool Size=20;Command Timeout=600");

    /// <summary>Starts the server over <paramref name="directory"/>/data, creating the cluster when it does not exist.</summary>
    public static BenchmarkPostgres Start(string directory)
    {
        string bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl"))).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin; install the postgresql package.");
        bool asPostgres = Run("id", ["-u"], false).Trim() == "0";
        Directory.CreateDirectory(directory);
        string data = Path.Combine(directory, "data");
        if (asPostgres)
        {
            Run("chown", ["postgres", directory], false);
        }

        if (!Directory.Exists(data))
        {
            Run(Path.Combine(bin, "initdb"), ["-D", data, "-U", "llmkit", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], asPostgres);
        }

        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        string options = string.Create(CultureInfo.InvariantCulture, $"-p {port} -h 127.0.0.1 -k {directory} -c shared_buffers=256MB -c max_connections=100 {Environment.GetEnvironmentVariable("LLMKIT_BENCH_PG_OPTIONS")}");
        Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "120", "-o", options, "start"], asPostgres);
        return new BenchmarkPostgres(bin, data, asPostgres, port);
    }

    public void Dispose() => Run(Path.Combine(_bin, "pg_ctl"), ["-D", _data, "-m", "fast", "-w", "stop"], _asPostgres);

    private static string Run(string file, string[] args, bool asPostgres)
    {
        var info = new ProcessStartInfo(asPostgres ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres)
        {
            foreach (string a in new[] { "-u", "postgres", "--", file })
            {
                info.ArgumentList.Add(a);
            }
        }

        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {string.Join(' ', args)}' failed ({process.ExitCode}): {output}");
        }

        return output;
    }
}
