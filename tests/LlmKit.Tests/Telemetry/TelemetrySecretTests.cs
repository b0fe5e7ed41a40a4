using System.Collections.Concurrent;
using System.Diagnostics;
using LlmKit.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LlmKit.Tests.Telemetry;

public sealed class TelemetrySecretTests : IDisposable
{
    private readonly string _model = "model-" + Guid.NewGuid().ToString("N");
    private readonly ConcurrentQueue<Activity> _activities = new();
    private readonly ActivityListener _listener;

    public TelemetrySecretTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == LlmKitTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.GetTagItem("gen_ai.request.model") as string == _model)
                {
                    _activities.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task GetResponseAsync_FailureMessageWithUserInfo_NeitherStatusNorLogShowsTheSecret()
    {
        var failure = new ProviderException("The connection to openai at http://user:CANARY-SECRET@127.0.0.1:1 failed.", "openai", null, LlmFailureKind.Network);
        var logger = new CollectingLogger();
        var client = new TelemetryChatClient(new StubChatClient { Failure = failure }, logger: logger);

        await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { ModelId = _model }));

        var activity = Assert.Single(_activities);
        Assert.DoesNotContain("CANARY-SECRET", activity.StatusDescription, StringComparison.Ordinal);
        var line = Assert.Single(logger.Lines);
        Assert.DoesNotContain("CANARY-SECRET", line, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", line, StringComparison.Ordinal);
    }

    private sealed class CollectingLogger : ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Lines.Enqueue(formatter(state, exception) + " " + exception);
    }
}
