using Microsoft.Extensions.Time.Testing;
using System.Collections.Concurrent;
using System.Diagnostics;
using LlmKit.Testing;
using LlmKit.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace LlmKit.Faults.Tests.Matrix;

/// <summary>What one cell produced.</summary>
internal sealed record CellResult(
    Exception? Error,
    string Text,
    int Updates,
    int PrimaryAttempts,
    int SecondaryAttempts,
    TimeSpan FakeElapsed,
    IReadOnlyList<UsageRecord> Records,
    UsageTotals Totals,
    IReadOnlyList<string> LogText,
    bool CanarySent,
    int RetryLogs,
    int FallbackLogs);

/// <summary>
/// Runs one cell: the whole <c>AddLlmKit()</c> pipeline with the real provider package, logical model <c>chat</c> on two
/// deployments (primary on a scripted <see cref="RawHttpServer"/>, secondary on a healthy one), a fake clock driven by
/// the cell's gate, fake logging and a ledger that keeps its records for inspection.
/// </summary>
internal static class MatrixHarness
{
    /// <summary>The API key of both connections; it must appear in no log line, exception, activity or ledger record.</summary>
    public const string Canary = "sk-canary-SECRET-matrix-0001";

    private const int RetryEvent = 3101;
    private const int FallbackEvent = 3102;

    private static readonly ConcurrentQueue<Activity> Activities = new();
    private static readonly ActivityListener Listener = StartListener();

    /// <summary>Gets every activity of LlmKit and MEAI stopped so far (in this process, by every test).</summary>
    public static IReadOnlyCollection<Activity> StoppedActivities => Activities;

    public static async Task<CellResult> RunAsync(ProviderWire wire, FaultCase fault)
    {
        _ = Listener;
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero));
        using var context = new ScriptContext(time);
        await using var primary = RawHttpServer.Start(fault.Script(wire, context));
        await using var secondary = RawHttpServer.Start(fault.Stream
            ? c => c.WriteAsync(RawHttpServer.Head(200, ("Content-Type", wire.StreamContentType)) + string.Concat(wire.StreamEvents("from secondary")))
            : c => c.RespondAsync(200, "application/json", wire.Body("from secondary")));
        var ledger = new RecordingLedger();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IUsageLedger>(ledger);
        services.AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace));
        services.AddLlmKit(kit =>
        {
            wire.Register(kit, "primary", primary.BaseUri, Canary);
            wire.Register(kit, "secondary", secondary.BaseUri, Canary);
            kit.AddModel(
                "chat",
                new DeploymentOptions { Provider = "primary", Model = wire.Model, Priority = 0 },
                new DeploymentOptions { Provider = "secondary", Model = wire.Model, Priority = 1 });
            kit.Configure(o =>
            {
                var r = o.Resilience;
                r.MaxRetries = FaultCase.Retried - 1;
                r.RetryBaseDelay = TimeSpan.Zero;
                r.RetryMaxDelay = TimeSpan.Zero;
                r.TotalTimeout = TimeSpan.FromDays(1);
                r.AttemptTimeout = TimeSpan.FromDays(1);
                r.FirstChunkTimeout = TimeSpan.FromDays(1);
                r.ChunkIdleTimeout = TimeSpan.FromDays(1);
                fault.Tune?.Invoke(r);
            });
        });
        await using var sp = services.BuildServiceProvider();
        var chat = sp.GetRequiredService<IChatClient>();
        var collector = sp.GetFakeLogCollector();

        // A safety net only: a cell that hangs fails after a minute instead of blocking the run; nothing asserts on durations.
        using var safety = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int updates = 0;
        var text = new System.Text.StringBuilder();
        var started = time.GetUtcNow();
        var call = Task.Run(async () =>
        {
            var options = new ChatOptions { ModelId = "chat" };
            if (!fault.Stream)
            {
                var response = await chat.GetResponseAsync("hi", options, safety.Token);
                text.Append(response.Text);
                return;
            }

            await foreach (var update in chat.GetStreamingResponseAsync("hi", options, safety.Token))
            {
                text.Append(update.Text);
                Interlocked.Increment(ref updates);
            }
        });

        Func<bool> gate = fault.Gate switch
        {
            ClockGate.WhileServerHolds => () => context.Holding && time.GetUtcNow() - started < fault.HoldBudget * context.HoldsStarted,
            ClockGate.AfterFirstUpdate => () => Volatile.Read(ref updates) > 0,
            ClockGate.DuringRetryDelay => () => primary.RequestCount > 0 && Logged(collector, RetryEvent) == primary.RequestCount,
            _ => () => true,
        };
        while (!call.IsCompleted)
        {
            await Task.WhenAny(call, Task.Delay(1));
            if (!call.IsCompleted && gate())
            {
                time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        context.EndCall();
        var error = await Record.ExceptionAsync(() => call);
        var elapsed = time.GetUtcNow() - started;
        var totals = await ledger.GetTotalsAsync(new UsageQuery());
        var logs = collector.GetSnapshot()
            .SelectMany(r => new[] { r.Message, r.Exception?.ToString() ?? string.Empty }
                .Concat(IsFactoryHeaderDump(r) ? [] : r.StructuredState?.Select(kv => $"{kv.Key}={kv.Value} [{r.Category} {r.Level}: {r.Message}]") ?? []))
            .ToList();
        bool canarySent = primary.Requests.Any(r => r.Headers.Values.Any(v => v.Contains(Canary, StringComparison.Ordinal)));
        return new CellResult(error, text.ToString(), updates, primary.RequestCount, secondary.RequestCount, elapsed, [.. ledger.Records], totals, logs, canarySent, Logged(collector, RetryEvent), Logged(collector, FallbackEvent));
    }

    /// <summary>
    /// The Trace-level header dump of IHttpClientFactory's default logger: its message redacts every value, but its structured
    /// state carries the raw headers (Authorization included). That is Microsoft.Extensions.Http's behaviour, left out of the
    /// matrix and reported (see README.md); the message itself is still checked.
    /// </summary>
    private static bool IsFactoryHeaderDump(FakeLogRecord record)
        => (record.Category ?? string.Empty).StartsWith("System.Net.Http.HttpClient.", StringComparison.Ordinal)
            && (record.Message.StartsWith("Request Headers:", StringComparison.Ordinal) || record.Message.StartsWith("Response Headers:", StringComparison.Ordinal));

    private static int Logged(FakeLogCollector collector, int eventId) => collector.GetSnapshot().Count(r => r.Id.Id == eventId);

    /// <summary>Everything an activity carries as text: name, status description, tags, events and their tags.</summary>
    public static IEnumerable<string> TextOf(Activity activity)
    {
        yield return activity.DisplayName;
        yield return activity.StatusDescription ?? string.Empty;
        foreach (var tag in activity.TagObjects)
        {
            yield return $"{tag.Key}={tag.Value}";
        }

        foreach (var e in activity.Events)
        {
            yield return e.Name;
            foreach (var tag in e.Tags)
            {
                yield return $"{tag.Key}={tag.Value}";
            }
        }
    }

    private static ActivityListener StartListener()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name.StartsWith("LlmKit", StringComparison.Ordinal) || s.Name.StartsWith("Experimental.Microsoft.Extensions.AI", StringComparison.Ordinal),
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>The in-memory ledger, keeping each record so that the test can look into it.</summary>
    private sealed class RecordingLedger : IUsageLedger
    {
        private readonly InMemoryUsageLedger _inner = new();
        private readonly ConcurrentQueue<UsageRecord> _records = new();

        public IReadOnlyCollection<UsageRecord> Records => _records;

        public ValueTask<bool> RecordAsync(UsageRecord record, CancellationToken cancellationToken = default)
        {
            _records.Enqueue(record);
            return _inner.RecordAsync(record, cancellationToken);
        }

        public ValueTask<UsageTotals> GetTotalsAsync(UsageQuery query, CancellationToken cancellationToken = default) => _inner.GetTotalsAsync(query, cancellationToken);

        public ValueTask<IReadOnlyList<KeyValuePair<string, UsageTotals>>> GetTopAsync(UsageQuery query, UsageGrouping groupBy, int count, CancellationToken cancellationToken = default)
            => _inner.GetTopAsync(query, groupBy, count, cancellationToken);

        public ValueTask<IReadOnlyList<KeyValuePair<DateTimeOffset, UsageTotals>>> GetTimeSeriesAsync(UsageQuery query, UsageInterval interval, CancellationToken cancellationToken = default)
            => _inner.GetTimeSeriesAsync(query, interval, cancellationToken);
    }
}
