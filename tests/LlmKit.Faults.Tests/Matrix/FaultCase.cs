using Microsoft.Extensions.Time.Testing;
using System.Globalization;
using System.Text;
using LlmKit.Testing;
using LlmKit.Tests.Shared;

namespace LlmKit.Faults.Tests.Matrix;

/// <summary>
/// When the harness may move the fake clock: always; only while the server holds a request open, and by at most
/// <see cref="FaultCase.HoldBudget"/> per request held (so that a retry's timer never runs before its request arrives); or
/// only once the caller has an update; or only while a retry's delay runs (a retry is logged for every request so far),
/// so that a Retry-After given as an HTTP date is read at the instant the server wrote it.
/// </summary>
internal enum ClockGate
{
    Always,
    WhileServerHolds,
    AfterFirstUpdate,
    DuringRetryDelay,
}

/// <summary>What one cell must show: attempts on the primary server, fallback, the error (type and kind) or success, updates before the error.</summary>
internal sealed record Expectation(int Attempts, bool FallsBack, Type? Error = null, LlmFailureKind? Kind = null, bool UpdatesBeforeError = false)
{
    public static Expectation Success(int attempts = 1) => new(attempts, FallsBack: false);

    public static Expectation FallBack(int attempts) => new(attempts, FallsBack: true);

    public static Expectation Fails(LlmFailureKind kind, int attempts = 1, Type? type = null) => new(attempts, false, type ?? typeof(ProviderException), kind);

    public static Expectation FailsMidStream(LlmFailureKind kind) => new(1, false, typeof(ProviderException), kind, UpdatesBeforeError: true);

    public override string ToString() => Error is null
        ? (FallsBack ? $"fallback after {Attempts} attempt(s), success" : $"success, {Attempts} attempt(s)")
        : $"{Error.Name} {Kind}{(UpdatesBeforeError ? " mid-stream" : string.Empty)}, {Attempts} attempt(s), no fallback";
}

/// <summary>What a script can use: the fake clock and a count of requests the server is holding open.</summary>
internal sealed class ScriptContext(FakeTimeProvider time) : IDisposable
{
    private readonly CancellationTokenSource _callEnded = new();
    private int _holding;
    private int _holdsStarted;

    public FakeTimeProvider Time { get; } = time;

    /// <summary>Gets a token cancelled when the call has ended (scripts waiting on the fake clock stop then).</summary>
    public CancellationToken CallEnded => _callEnded.Token;

    public void EndCall() => _callEnded.Cancel();

    public bool Holding => Volatile.Read(ref _holding) > 0;

    /// <summary>Gets how many requests the server has held open so far.</summary>
    public int HoldsStarted => Volatile.Read(ref _holdsStarted);

    public void Dispose() => _callEnded.Dispose();

    /// <summary>Holds the request open until the client gives up on it.</summary>
    public async Task HoldAsync(RawHttpServer.Connection connection)
    {
        Interlocked.Increment(ref _holding);
        Interlocked.Increment(ref _holdsStarted);
        try
        {
            await connection.WaitForClientCloseAsync();
        }
        finally
        {
            Interlocked.Decrement(ref _holding);
        }
    }
}

/// <summary>One fault of the matrix (a row): the primary server's script, resilience settings, clock gate and expected outcome per provider.</summary>
internal sealed class FaultCase
{
    /// <summary>Attempts when the fault is retried: the first and <see cref="DeploymentResilienceOptions.MaxRetries"/> (2) more.</summary>
    public const int Retried = 3;

    public required string Name { get; init; }

    public bool Stream { get; init; }

    public required Func<ProviderWire, ScriptContext, Func<RawHttpServer.Connection, Task>> Script { get; init; }

    public Action<DeploymentResilienceOptions>? Tune { get; init; }

    public ClockGate Gate { get; init; }

    /// <summary>How far the clock may move per request held open (<see cref="ClockGate.WhileServerHolds"/>): the deadline under test.</summary>
    public TimeSpan HoldBudget { get; init; } = TimeSpan.FromSeconds(5);

    public required Expectation Expected { get; init; }

    /// <summary>The least time that must have passed on the fake clock (server-requested waits, deadlines).</summary>
    public TimeSpan MinFakeElapsed { get; init; }

    public override string ToString() => Name;

    public static IReadOnlyList<FaultCase> All { get; } = Build();

    private static List<FaultCase> Build()
    {
        var cases = new List<FaultCase>
        {
            new() { Name = "200 healthy", Script = (w, _) => c => c.RespondAsync(200, "application/json", w.Body("from primary")), Expected = Expectation.Success() },
            new() { Name = "stream healthy", Stream = true, Script = (w, _) => c => c.WriteAsync(StreamHead(w) + string.Concat(w.StreamEvents("from primary"))), Expected = Expectation.Success() },
            Status(400, Expectation.Fails(LlmFailureKind.BadRequest)),
            Status(401, Expectation.Fails(LlmFailureKind.Authentication)),
            Status(403, Expectation.Fails(LlmFailureKind.Authentication)),
            Status(404, Expectation.Fails(LlmFailureKind.NotFound)),
            Status(408, Expectation.FallBack(Retried)),
            Status(413, Expectation.Fails(LlmFailureKind.BadRequest)),
            Status(429, Expectation.FallBack(Retried), "Retry-After 2 s", ("Retry-After", _ => "2"), TimeSpan.FromSeconds(4), gate: ClockGate.DuringRetryDelay),
            Status(429, Expectation.FallBack(Retried), "retry-after-ms 1500", ("retry-after-ms", _ => "1500"), TimeSpan.FromSeconds(3), gate: ClockGate.DuringRetryDelay),
            Status(429, Expectation.FallBack(Retried), "Retry-After HTTP date +3 s", ("Retry-After", t => (t.GetUtcNow() + TimeSpan.FromSeconds(3)).ToString("R", CultureInfo.InvariantCulture)), TimeSpan.FromSeconds(6), gate: ClockGate.DuringRetryDelay),
            Status(429, Expectation.FallBack(1), "Retry-After 3600 s (too long)", ("Retry-After", _ => "3600"), TimeSpan.Zero),
            Status(429, Expectation.FallBack(1), "quota exhausted", message: "You exceeded your current quota, please check your plan and billing details."),
            Status(500, Expectation.FallBack(Retried)),
            Status(500, Expectation.FallBack(1), "x-should-retry: false", ("x-should-retry", _ => "false"), TimeSpan.Zero),
            Status(502, Expectation.FallBack(Retried)),
            Status(503, Expectation.FallBack(Retried)),
            Status(529, Expectation.FallBack(Retried)),
        };

        foreach (string kind in new[] { "{}", "empty", "number text", "string tokens", "negative tokens" })
        {
            cases.Add(new() { Name = $"200 malformed: {kind}", Script = (w, _) => c => c.RespondAsync(200, "application/json", w.Malformed[kind]), Expected = Expectation.FallBack(1) });
        }

        cases.AddRange(
        [
            new() { Name = "200 HTML", Script = (_, _) => c => c.RespondAsync(200, "text/html", Html), Expected = Expectation.FallBack(1) },
            new() { Name = "200 body of 50 MB", Script = (_, _) => c => WriteHugeBodyAsync(c, 50), Expected = Expectation.FallBack(1) },
            new()
            {
                Name = "never answers (attempt timeout)", Script = (_, ctx) => ctx.HoldAsync, Gate = ClockGate.WhileServerHolds,
                Tune = r => r.AttemptTimeout = TimeSpan.FromSeconds(5), Expected = Expectation.FallBack(Retried), MinFakeElapsed = TimeSpan.FromSeconds(15),
            },
            new() { Name = "stream of 50 MB without a newline", Stream = true, Script = (w, _) => c => WriteHugeLineAsync(c, StreamHead(w), 50), Expected = Expectation.FallBack(1) },
            new() { Name = "stream reset before headers", Stream = true, Script = (_, _) => Reset, Expected = Expectation.FallBack(Retried) },
            new() { Name = "stream HTML with 200", Stream = true, Script = (_, _) => c => c.RespondAsync(200, "text/html", Html), Expected = Expectation.FallBack(1) },
            new() { Name = "stream garbage line", Stream = true, Script = (w, _) => c => c.WriteAsync(StreamHead(w) + w.GarbageEvent + string.Concat(w.StreamEvents("x"))), Expected = Expectation.FallBack(1) },
            new() { Name = "stream empty body", Stream = true, Script = (w, _) => c => c.WriteAsync(StreamHead(w)), Expected = Expectation.FallBack(1) },
            new() { Name = "stream truncated (no end marker)", Stream = true, Script = (w, _) => c => c.WriteAsync(StreamHead(w) + string.Concat(w.StreamEvents("from primary")[..^1])), Expected = Expectation.FailsMidStream(LlmFailureKind.Network) },
            new() { Name = "stream cut mid-event", Stream = true, Script = (w, _) => c => c.WriteAsync(StreamHead(w) + w.StreamEvents("from primary")[0] + w.StreamEvents("x")[1][..20]), Expected = Expectation.FailsMidStream(LlmFailureKind.Network) },
            new() { Name = "stream cut between events", Stream = true, Script = (w, _) => c => c.WriteAsync(StreamHead(w) + w.StreamEvents("from primary")[0]), Expected = Expectation.FailsMidStream(LlmFailureKind.Network) },
            new()
            {
                Name = "stream slow: no first chunk", Stream = true, Gate = ClockGate.WhileServerHolds,
                Script = (w, ctx) => async c =>
                {
                    await c.WriteAsync(StreamHead(w));
                    await ctx.HoldAsync(c);
                },
                Tune = r => r.FirstChunkTimeout = TimeSpan.FromSeconds(5), Expected = Expectation.FallBack(1), MinFakeElapsed = TimeSpan.FromSeconds(5),
            },
            new()
            {
                Name = "stream slow: idle after a chunk", Stream = true, Gate = ClockGate.AfterFirstUpdate,
                Script = (w, ctx) => async c =>
                {
                    await c.WriteAsync(StreamHead(w) + w.StreamEvents("from primary")[0]);
                    await ctx.HoldAsync(c);
                },
                Tune = r => r.ChunkIdleTimeout = TimeSpan.FromSeconds(5), Expected = Expectation.FailsMidStream(LlmFailureKind.Timeout), MinFakeElapsed = TimeSpan.FromSeconds(5),
            },
            new()
            {
                Name = "stream slow: drip past the total", Stream = true, Gate = ClockGate.AfterFirstUpdate,
                Script = (w, ctx) => async c =>
                {
                    await c.WriteAsync(StreamHead(w) + w.StreamEvents("from primary")[0]);
                    while (true)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(2), ctx.Time, ctx.CallEnded);
                        await c.WriteAsync(w.DripEvent);
                    }
                },
                Tune = r => r.StreamTotalTimeout = TimeSpan.FromSeconds(9), Expected = Expectation.FailsMidStream(LlmFailureKind.Timeout), MinFakeElapsed = TimeSpan.FromSeconds(9),
            },
        ]);
        return cases;
    }

    private const string Html = "<html><body><h1>502 Bad Gateway</h1>upstream said: key=" + MatrixHarness.Canary + "</body></html>";

    private static string StreamHead(ProviderWire wire) => RawHttpServer.Head(200, ("Content-Type", wire.StreamContentType));

    private static Task Reset(RawHttpServer.Connection connection)
    {
        connection.Reset();
        return Task.CompletedTask;
    }

    private static FaultCase Status(int status, Expectation expected, string? detail = null, (string Name, Func<TimeProvider, string> Value)? header = null, TimeSpan? minElapsed = null, string? message = null, ClockGate gate = ClockGate.Always) => new()
    {
        Name = detail is null ? status.ToString(CultureInfo.InvariantCulture) : $"{status} {detail}",
        Script = (w, ctx) => c =>
        {
            // The error quotes the API key back, as OpenAI does for a wrong key.
            string body = w.ErrorBody(status, message ?? $"Failed ({status}) for key {MatrixHarness.Canary}");
            int length = Encoding.UTF8.GetByteCount(body);
            var headers = new List<(string, string)> { ("Content-Type", "application/json"), ("Content-Length", length.ToString(CultureInfo.InvariantCulture)) };
            if (header is { } h)
            {
                headers.Add((h.Name, h.Value(ctx.Time)));
            }

            return c.WriteAsync(RawHttpServer.Head(status, [.. headers]) + body);
        },
        Expected = expected,
        MinFakeElapsed = minElapsed ?? TimeSpan.Zero,
        Gate = gate,
    };

    private static async Task WriteHugeLineAsync(RawHttpServer.Connection connection, string head, int megabytes)
    {
        await connection.WriteAsync(head + "data: ");
        var block = new byte[1024 * 1024];
        Array.Fill(block, (byte)'a');
        for (int i = 0; i < megabytes; i++)
        {
            await connection.WriteAsync(block);
        }
    }

    private static async Task WriteHugeBodyAsync(RawHttpServer.Connection connection, int megabytes)
    {
        long length = megabytes * 1024L * 1024L;
        await connection.WriteAsync(RawHttpServer.Head(200, ("Content-Type", "application/json"), ("Content-Length", length.ToString(CultureInfo.InvariantCulture))));
        var block = new byte[1024 * 1024];
        Array.Fill(block, (byte)'a');
        for (int i = 0; i < megabytes; i++)
        {
            await connection.WriteAsync(block);
        }
    }
}
