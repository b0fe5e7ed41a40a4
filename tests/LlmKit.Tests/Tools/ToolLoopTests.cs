using System.ComponentModel;
using System.Text.Json;
using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Tests.Tools;

public class ToolLoopTests
{
    /// <summary>Keeps every record the metering stage writes, in order.</summary>
    private sealed class CapturingLedger : IUsageLedger
    {
        private readonly InMemoryUsageLedger _inner = new();

        public List<UsageRecord> Records { get; } = [];

        public async ValueTask<bool> RecordAsync(UsageRecord record, CancellationToken cancellationToken = default)
        {
            bool stored = await _inner.RecordAsync(record, cancellationToken);
            lock (Records)
            {
                Records.Add(record);
            }

            return stored;
        }

        public ValueTask<UsageTotals> GetTotalsAsync(UsageQuery query, CancellationToken cancellationToken = default) => _inner.GetTotalsAsync(query, cancellationToken);

        public ValueTask<IReadOnlyList<KeyValuePair<string, UsageTotals>>> GetTopAsync(UsageQuery query, UsageGrouping groupBy, int count, CancellationToken cancellationToken = default) => _inner.GetTopAsync(query, groupBy, count, cancellationToken);

        public ValueTask<IReadOnlyList<KeyValuePair<DateTimeOffset, UsageTotals>>> GetTimeSeriesAsync(UsageQuery query, UsageInterval interval, CancellationToken cancellationToken = default) => _inner.GetTimeSeriesAsync(query, interval, cancellationToken);
    }

    private sealed record Harness(ServiceProvider Services, IChatClient Client, RecordingChatClient Provider, ScriptedChatClient Script, CapturingLedger Ledger, FakeTimeProvider Time) : IDisposable
    {
        public void Dispose() => Services.Dispose();
    }

    private static Harness Build(params (string Key, string Value)[] settings)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero));
        var script = new ScriptedChatClient(time);
        var provider = new RecordingChatClient(script);
        var ledger = new CapturingLedger();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IUsageLedger>(ledger);
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        services.AddLlmKit(config, kit => kit.AddProvider("openai", _ => provider).AddModel("smart", "openai", "gpt-4o").UseDefaultModel("smart"));
        var sp = services.BuildServiceProvider();
        return new Harness(sp, sp.GetRequiredService<IChatClient>(), provider, script, ledger, time);
    }

    private static UsageDetails Usage(long input, long output) => new() { InputTokenCount = input, OutputTokenCount = output };

    private static IEnumerable<FunctionResultContent> ResultsSent(RecordingChatClient provider, int call)
        => provider.Requests[call].Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>();

    private static string ResultText(FunctionResultContent result) => result.Result switch
    {
        string s => s,
        JsonElement e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText(),
        var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
    };

    [Fact]
    public void DefaultPipeline_PutsTheToolLoopRightInsideStructuredOutput()
    {
        var services = new ServiceCollection();
        var kit = services.AddLlmKit();

        Assert.Equal([PipelineStageNames.Telemetry, PipelineStageNames.StructuredOutput, PipelineStageNames.ToolLoop, PipelineStageNames.InputGuard], kit.Pipeline.StageNames.Take(4));
    }

    [Fact]
    public async Task GetResponseAsync_ModelCallsATool_RunsItSendsTheResultBackAndReturnsTheFinalAnswer()
    {
        using var h = Build();
        int calls = 0;
        var add = AIFunctionFactory.Create([Description("Adds two integers")] (int a, int b) => { calls++; return a + b; }, "add");
        h.Script.ReturnsToolCall("add", new Dictionary<string, object?> { ["a"] = 2, ["b"] = 40 }, "call_1").ReturnsText("The sum is 42.");

        var response = await h.Client.GetResponseAsync("What is 2 + 40?", new ChatOptions { Tools = [add] });

        Assert.Equal("The sum is 42.", response.Text);
        Assert.Equal(1, calls);
        Assert.Equal(2, h.Provider.Requests.Count);
        var result = Assert.Single(ResultsSent(h.Provider, 1));
        Assert.Equal("call_1", result.CallId);
        Assert.Equal("42", ResultText(result));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ModelCallsATool_RunsItAndStreamsTheFinalAnswer()
    {
        using var h = Build();
        int calls = 0;
        var clock = AIFunctionFactory.Create([Description("The current UTC time")] () => { calls++; return "09:00"; }, "clock");
        h.Script.ReturnsToolCall("clock", new Dictionary<string, object?>(), "call_1").StreamsChunks(["It is ", "09:00."]);

        var text = string.Concat(await h.Client.GetStreamingResponseAsync("Time?", new ChatOptions { Tools = [clock] }).Select(u => u.Text).ToListAsync());

        Assert.Equal("It is 09:00.", text);
        Assert.Equal(1, calls);
        Assert.Equal("09:00", ResultText(Assert.Single(ResultsSent(h.Provider, 1))));
    }

    [Fact]
    public async Task GetResponseAsync_CallerRequestIdOverAMultiStepRun_RecordsEveryRoundTripUnderItsOwnIdWithTheRequestAndRunIds()
    {
        using var h = Build();
        var echo = AIFunctionFactory.Create([Description("Echoes")] (string text) => text, "echo");
        for (int i = 0; i < 5; i++)
        {
            h.Script.ReturnsResponse(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call_{i}", "echo", new Dictionary<string, object?> { ["text"] = "x" })]))
            {
                FinishReason = ChatFinishReason.ToolCalls,
                Usage = Usage(100, 10),
            });
        }

        h.Script.ReturnsText("done", Usage(100, 10)).ReturnsText("again", Usage(10, 1));
        var options = new ChatOptions { Tools = [echo] }.WithLlmContext(new LlmRequestContext { RequestId = "http-req-7" });

        await h.Client.GetResponseAsync("go", options);
        await h.Client.GetResponseAsync("again", new ChatOptions().WithLlmContext(new LlmRequestContext { RequestId = "http-req-7" }));

        Assert.Equal(7, h.Provider.Requests.Count);
        Assert.Equal(7, h.Ledger.Records.Count);
        Assert.Equal(7, h.Ledger.Records.Select(r => r.RequestId).Distinct().Count());
        Assert.All(h.Ledger.Records, r => Assert.Equal("http-req-7", r.CorrelationId));
        var run = h.Ledger.Records.Take(6).Select(r => r.RunId).Distinct().ToArray();
        Assert.NotNull(Assert.Single(run));
        Assert.Null(h.Ledger.Records[6].RunId);
        Assert.Equal(610, (await h.Ledger.GetTotalsAsync(new UsageQuery())).InputTokens);
    }

    [Fact]
    public async Task GetResponseAsync_ModelNeverStops_StopsAtTheIterationLimitWithTheLastRoundTripWithoutTools()
    {
        using var h = Build(("LlmKit:ToolLoop:MaxIterations", "3"));
        int calls = 0;
        var ping = AIFunctionFactory.Create([Description("Pings")] () => ++calls, "ping");
        h.Script.FallbackResponder = (_, options) => options?.Tools is { Count: > 0 }
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(Guid.NewGuid().ToString("N"), "ping", new Dictionary<string, object?>())])) { FinishReason = ChatFinishReason.ToolCalls }
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, "giving up")) { FinishReason = ChatFinishReason.Stop };

        var response = await h.Client.GetResponseAsync("loop", new ChatOptions { Tools = [ping] });

        Assert.Equal("giving up", response.Text);
        Assert.Equal(3, h.Provider.Requests.Count);
        Assert.Equal(2, calls);
        Assert.NotEmpty(h.Provider.Requests[1].Options!.Tools!);
        Assert.True(h.Provider.Requests[2].Options?.Tools is null or { Count: 0 });
    }

    [Fact]
    public async Task GetResponseAsync_ToolKeepsFailing_StopsAfterTheConsecutiveErrorLimitWithAToolInvocationException()
    {
        using var h = Build(("LlmKit:ToolLoop:MaxConsecutiveErrors", "2"));
        int calls = 0;
        var broken = AIFunctionFactory.Create([Description("Always fails")] () => { calls++; throw new InvalidOperationException("disk full"); }, "broken");
        h.Script.FallbackResponder = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(Guid.NewGuid().ToString("N"), "broken", new Dictionary<string, object?>())])) { FinishReason = ChatFinishReason.ToolCalls };

        var ex = await Assert.ThrowsAsync<ToolInvocationException>(() => h.Client.GetResponseAsync("go", new ChatOptions { Tools = [broken] }));

        Assert.Equal("broken", ex.ToolName);
        Assert.Contains("MaxConsecutiveErrors", ex.Message, StringComparison.Ordinal);
        Assert.Contains("disk full", ex.Message, StringComparison.Ordinal);
        // Two failures go back to the model; the third stops the loop.
        Assert.Equal(3, calls);
        Assert.Equal(3, h.Provider.Requests.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ToolThrows_TheModelSeesTheExceptionMessageOnlyWhenDetailedErrorsAreOn(bool detailed)
    {
        using var h = Build(("LlmKit:ToolLoop:IncludeDetailedErrors", detailed ? "true" : "false"));
        var lookup = AIFunctionFactory.Create([Description("Looks up")] string (string key) => throw new InvalidOperationException("connection string Server=db01 refused"), "lookup");
        h.Script.ReturnsToolCall("lookup", new Dictionary<string, object?> { ["key"] = "k" }, "call_1").ReturnsText("sorry");

        var response = await h.Client.GetResponseAsync("go", new ChatOptions { Tools = [lookup] });

        Assert.Equal("sorry", response.Text);
        string sent = ResultText(Assert.Single(ResultsSent(h.Provider, 1)));
        Assert.StartsWith("Error", sent, StringComparison.Ordinal);
        Assert.Equal(detailed, sent.Contains("db01", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetResponseAsync_UnknownToolName_SendsAnErrorResultToTheModelInsteadOfThrowing()
    {
        using var h = Build();
        var real = AIFunctionFactory.Create([Description("Real")] () => 1, "real");
        h.Script.ReturnsToolCall("imaginary", new Dictionary<string, object?>(), "call_1").ReturnsText("ok");

        var response = await h.Client.GetResponseAsync("go", new ChatOptions { Tools = [real] });

        Assert.Equal("ok", response.Text);
        string sent = ResultText(Assert.Single(ResultsSent(h.Provider, 1)));
        Assert.Contains("imaginary", sent, StringComparison.Ordinal);
        Assert.Contains("not found", sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_ArgumentsDoNotMatchTheSchema_TellsTheModelWhichFieldWithoutRunningTheTool()
    {
        using var h = Build();
        int calls = 0;
        var add = AIFunctionFactory.Create([Description("Adds")] (int a, int b) => { calls++; return a + b; }, "add");
        using var args = JsonDocument.Parse("""{"a":"two"}""");
        h.Script.ReturnsToolCall("add", args.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone()), "call_1").ReturnsText("ok");

        await h.Client.GetResponseAsync("go", new ChatOptions { Tools = [add] });

        Assert.Equal(0, calls);
        string sent = ResultText(Assert.Single(ResultsSent(h.Provider, 1)));
        Assert.Contains("$.a must be integer", sent, StringComparison.Ordinal);
        Assert.Contains("required property 'b'", sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_ToolHangs_IsCancelledAtItsTimeoutAndTheModelIsToldSo()
    {
        using var h = Build(("LlmKit:ToolLoop:ToolTimeout", "00:00:05"));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource<string>();
        var slow = AIFunctionFactory.Create([Description("Hangs and ignores cancellation")] () => { started.SetResult(); return never.Task; }, "slow");
        h.Script.ReturnsToolCall("slow", new Dictionary<string, object?>(), "call_1").ReturnsText("ok");

        var call = h.Client.GetResponseAsync("go", new ChatOptions { Tools = [slow] });
        await started.Task;
        h.Time.Advance(TimeSpan.FromSeconds(5));
        var response = await call;

        Assert.Equal("ok", response.Text);
        string sent = ResultText(Assert.Single(ResultsSent(h.Provider, 1)));
        Assert.Contains("'slow' did not finish within 00:00:05", sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_ParallelCallsWithConcurrencyAllowed_RunTogether()
    {
        using var h = Build(("LlmKit:ToolLoop:AllowConcurrentInvocation", "true"));
        var bStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // "a" finishes only once "b" has started: run one after the other, "a" would wait for "b" until its own limit passed.
        var a = AIFunctionFactory.Create([Description("A")] async () => { await bStarted.Task.WaitAsync(TimeSpan.FromMinutes(5)); return "a"; }, "a");
        var b = AIFunctionFactory.Create([Description("B")] () => { bStarted.TrySetResult(); return "b"; }, "b");
        h.Script.ReturnsToolCalls(new FunctionCallContent("c1", "a"), new FunctionCallContent("c2", "b")).ReturnsText("both");

        var response = await h.Client.GetResponseAsync("go", new ChatOptions { Tools = [a, b] });

        Assert.Equal("both", response.Text);
        Assert.Equal(["a", "b"], ResultsSent(h.Provider, 1).Select(ResultText));
    }

    [Fact]
    public async Task GetResponseAsync_CallerCancelsDuringATool_CancelsTheToolAndThrows()
    {
        using var h = Build();
        using var cts = new CancellationTokenSource();
        var toolToken = new TaskCompletionSource<CancellationToken>();
        var wait = AIFunctionFactory.Create([Description("Waits")] async (CancellationToken ct) =>
        {
            toolToken.SetResult(ct);
            await cts.CancelAsync();
            await Task.Delay(Timeout.Infinite, ct);
            return "never";
        }, "wait");
        h.Script.ReturnsToolCall("wait", new Dictionary<string, object?>(), "call_1").ReturnsText("unreached");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Client.GetResponseAsync("go", new ChatOptions { Tools = [wait] }, cts.Token));

        Assert.True((await toolToken.Task).IsCancellationRequested);
        Assert.Single(h.Provider.Requests);
    }

    [Fact]
    public async Task GetResponseAsync_BudgetRunsOutMidRun_RefusedRoundTripIsRecordedWithItsOutcomeAndNoCostInTheSameRun()
    {
        using var h = Build(("LlmKit:Budgets:daily:Limit", "0.015"), ("LlmKit:Budgets:daily:Period", "Day"));
        int calls = 0;
        var ping = AIFunctionFactory.Create([Description("Pings")] () => ++calls, "ping");
        h.Script.ReturnsResponse(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "ping", new Dictionary<string, object?>())]))
        {
            FinishReason = ChatFinishReason.ToolCalls,
            Usage = Usage(1000, 500),
        }).ReturnsText("unreached", Usage(10, 10));
        var options = new ChatOptions { Tools = [ping], MaxOutputTokens = 1000 }.WithLlmContext(new LlmRequestContext { RequestId = "http-9" });

        // Each round trip is estimated at about 0.01 USD (1,000 output tokens at 10 USD per million): the first fits and
        // costs 0.0075 (1,000 x 2.50 + 500 x 10 per million), leaving too little for the second.
        await Assert.ThrowsAsync<BudgetExceededException>(() => h.Client.GetResponseAsync("go", options));

        Assert.Equal(1, calls);
        Assert.Single(h.Provider.Requests);
        Assert.Equal(2, h.Ledger.Records.Count);
        var (charged, refused) = (h.Ledger.Records[0], h.Ledger.Records[1]);
        Assert.Equal(CallOutcome.Success, charged.Outcome);
        Assert.Equal(0.0075m, charged.Cost.Total);
        Assert.Equal(CallOutcome.BudgetRejected, refused.Outcome);
        Assert.Equal(LlmFailureKind.BudgetExceeded, refused.FailureKind);
        Assert.Equal(0m, refused.Cost.Total);
        Assert.Equal(0, refused.InputTokens + refused.OutputTokens);
        Assert.Equal("http-9", refused.CorrelationId);
        Assert.NotNull(refused.RunId);
        Assert.Equal(charged.RunId, refused.RunId);
        Assert.NotEqual(charged.RequestId, refused.RequestId);
        var totals = await h.Ledger.GetTotalsAsync(new UsageQuery());
        Assert.Equal(0.0075m, totals.KnownCostUsd);
    }

    [Theory]
    [InlineData("LlmKit:ToolLoop:MaxIterations", "1")]
    [InlineData("LlmKit:ToolLoop:MaxConsecutiveErrors", "-1")]
    [InlineData("LlmKit:ToolLoop:ToolTimeout", "-00:00:01")]
    public void StartUp_InvalidToolLoopSetting_FailsNamingTheKey(string key, string value)
    {
        var ex = Assert.Throws<LlmKitConfigurationException>(() => Build((key, value)));

        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }
}
