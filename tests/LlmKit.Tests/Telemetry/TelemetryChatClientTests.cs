using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using LlmKit.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Telemetry;

/// <summary>
/// Captures what the telemetry stage emits. Each test uses its own model name, and the listeners keep only
/// what carries it, so tests running in parallel do not see each other's measurements.
/// </summary>
public sealed class TelemetryChatClientTests : IDisposable
{
    private readonly string _model = "model-" + Guid.NewGuid().ToString("N");
    private readonly ConcurrentQueue<Activity> _activities = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ActivityListener _activityListener;
    private readonly MeterListener _meterListener;

    public TelemetryChatClientTests()
    {
        _activityListener = new ActivityListener
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
        ActivitySource.AddActivityListener(_activityListener);

        _meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == LlmKitTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meterListener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _meterListener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _meterListener.Start();
    }

    public void Dispose()
    {
        _activityListener.Dispose();
        _meterListener.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dict = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            dict[tag.Key] = tag.Value;
        }

        if (dict.TryGetValue("gen_ai.request.model", out var m) && (string?)m == _model)
        {
            _measurements.Enqueue((instrument.Name, value, dict));
        }
    }

    private ChatOptions Options => new() { ModelId = _model, MaxOutputTokens = 100, Temperature = 0.2f };

    [Fact]
    public async Task GetResponseAsync_Success_RecordsSpanWithGenAiAttributes()
    {
        var client = new TelemetryChatClient(new StubChatClient("openai"));

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "secret prompt")], Options);

        var activity = Assert.Single(_activities);
        Assert.Equal($"chat {_model}", activity.DisplayName);
        Assert.Equal(ActivityKind.Client, activity.Kind);
        Assert.Equal("chat", activity.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("openai", activity.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(_model + "-2024", activity.GetTagItem("gen_ai.response.model"));
        Assert.Equal("resp-1", activity.GetTagItem("gen_ai.response.id"));
        Assert.Equal("[\"stop\"]", activity.GetTagItem("gen_ai.response.finish_reasons"));
        Assert.Equal(10L, activity.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(3L, activity.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(100, activity.GetTagItem("gen_ai.request.max_tokens"));
        Assert.Null(activity.GetTagItem("gen_ai.input.messages"));
        Assert.Null(activity.GetTagItem("error.type"));
    }

    [Fact]
    public async Task GetResponseAsync_Success_RecordsDurationAndTokenHistograms()
    {
        var client = new TelemetryChatClient(new StubChatClient("anthropic"));

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")], Options);

        var duration = Assert.Single(_measurements, m => m.Instrument == "gen_ai.client.operation.duration");
        Assert.True(duration.Value >= 0);
        Assert.Equal("anthropic", duration.Tags["gen_ai.provider.name"]);
        Assert.Equal("chat", duration.Tags["gen_ai.operation.name"]);
        Assert.False(duration.Tags.ContainsKey("error.type"));
        var tokens = _measurements.Where(m => m.Instrument == "gen_ai.client.token.usage").ToDictionary(m => (string)m.Tags["gen_ai.token.type"]!, m => m.Value);
        Assert.Equal(10, tokens["input"]);
        Assert.Equal(3, tokens["output"]);
        Assert.DoesNotContain(_measurements, m => m.Instrument == "gen_ai.client.operation.time_to_first_chunk");
    }

    [Fact]
    public void Instruments_Published_UseTheConventionsBucketBoundaries()
    {
        var advice = LlmKitTelemetry.OperationDuration.Advice?.HistogramBucketBoundaries;
        var tokenAdvice = LlmKitTelemetry.TokenUsage.Advice?.HistogramBucketBoundaries;

        Assert.Equal([0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92], advice);
        Assert.Equal([1L, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864], tokenAdvice);
        Assert.Equal("s", LlmKitTelemetry.OperationDuration.Unit);
        Assert.Equal("{token}", LlmKitTelemetry.TokenUsage.Unit);
    }

    [Fact]
    public async Task GetResponseAsync_ProviderError_RecordsErrorTypeAsStatusCodeAndRethrows()
    {
        var failure = new RateLimitedException("slow down", "openai", TimeSpan.FromSeconds(1));
        var client = new TelemetryChatClient(new StubChatClient { Failure = failure });

        var thrown = await Assert.ThrowsAsync<RateLimitedException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")], Options));

        Assert.Same(failure, thrown);
        var activity = Assert.Single(_activities);
        Assert.Equal("429", activity.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
        Assert.Equal("429", Assert.Single(_measurements, m => m.Instrument == "gen_ai.client.operation.duration").Tags["error.type"]);
    }

    [Fact]
    public async Task GetResponseAsync_NonProviderError_RecordsExceptionTypeName()
    {
        var client = new TelemetryChatClient(new StubChatClient { Failure = new InvalidOperationException("boom") });

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")], Options));

        Assert.Equal("System.InvalidOperationException", Assert.Single(_activities).GetTagItem("error.type"));
    }

    [Fact]
    public async Task GetResponseAsync_RecordMessageContentOn_RecordsInputAndOutputMessages()
    {
        var client = new TelemetryChatClient(new StubChatClient { Text = "the answer" }, new LlmKitTelemetryOptions { RecordMessageContent = true });

        await client.GetResponseAsync([new ChatMessage(ChatRole.System, "be brief"), new ChatMessage(ChatRole.User, "question")], Options);

        var activity = Assert.Single(_activities);
        Assert.Equal("""[{"role":"system","parts":[{"type":"text","content":"be brief"}]},{"role":"user","parts":[{"type":"text","content":"question"}]}]""", activity.GetTagItem("gen_ai.input.messages"));
        Assert.Equal("""[{"role":"assistant","parts":[{"type":"text","content":"the answer"}]}]""", activity.GetTagItem("gen_ai.output.messages"));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Success_RecordsUsageFinishReasonAndTimeToFirstChunk()
    {
        var client = new TelemetryChatClient(new StubChatClient("gemini") { Chunks = ["a", "b"] }, new LlmKitTelemetryOptions { RecordMessageContent = true });

        var text = string.Empty;
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")], Options))
        {
            text += update.Text;
        }

        Assert.Equal("ab", text);
        var activity = Assert.Single(_activities);
        Assert.Equal(10L, activity.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(3L, activity.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal("[\"stop\"]", activity.GetTagItem("gen_ai.response.finish_reasons"));
        Assert.Contains(activity.Events, e => e.Name == "gen_ai.first_chunk");
        Assert.Equal("""[{"role":"assistant","parts":[{"type":"text","content":"ab"}]}]""", activity.GetTagItem("gen_ai.output.messages"));
        var ttfc = Assert.Single(_measurements, m => m.Instrument == "gen_ai.client.operation.time_to_first_chunk");
        Assert.Equal("gemini", ttfc.Tags["gen_ai.provider.name"]);
        Assert.Single(_measurements, m => m.Instrument == "gen_ai.client.operation.duration");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_MidStreamError_RecordsErrorAndRethrows()
    {
        var failure = new ProviderException("overloaded", "anthropic", (HttpStatusCode)529, LlmFailureKind.Overloaded);
        var client = new TelemetryChatClient(new StubChatClient { Chunks = ["a"], Failure = failure });

        var received = new List<string>();
        var thrown = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")], Options))
            {
                received.Add(update.Text);
            }
        });

        Assert.Same(failure, thrown);
        Assert.Equal(["a"], received);
        Assert.Equal("529", Assert.Single(_activities).GetTagItem("error.type"));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CancelledMidStream_StopsProviderStreamAndRecordsCancellation()
    {
        var gate = new TaskCompletionSource();
        var stub = new StubChatClient { Chunks = ["a", "b", "c"], StreamGate = (1, gate) };
        var client = new TelemetryChatClient(stub);
        using var cts = new CancellationTokenSource();

        var received = new List<string>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")], Options, cts.Token))
            {
                received.Add(update.Text);
                await cts.CancelAsync();
            }
        });

        Assert.Equal(["a"], received);
        Assert.Equal(0, stub.ActiveStreams);
        Assert.Equal("cancelled", Assert.Single(_activities).GetTagItem("error.type"));
    }

    [Fact]
    public async Task GetResponseAsync_NoListeners_StillReturnsTheInnerResponse()
    {
        _activityListener.Dispose();
        var stub = new StubChatClient { Text = "plain" };
        var client = new TelemetryChatClient(stub);

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")], Options);

        Assert.Equal("plain", response.Text);
        Assert.Empty(_activities);
    }
}
