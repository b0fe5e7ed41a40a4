using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Testing.Tests;

public sealed class RecordingChatClientTests
{
    [Fact]
    public async Task GetResponseAsync_Call_RecordsMessagesOptionsResponseAndTimes()
    {
        var time = new FakeTimeProvider();
        var scripted = new ScriptedChatClient(time).ReturnsText("pong").WithLatency(TimeSpan.FromSeconds(2));
        using var recording = new RecordingChatClient(scripted, time);
        var options = new ChatOptions { ModelId = "m1", Temperature = 0.2f };

        Task<ChatResponse> call = recording.GetResponseAsync([new ChatMessage(ChatRole.User, "ping")], options);
        time.Advance(TimeSpan.FromSeconds(2));
        ChatResponse response = await call;

        RecordedChatRequest request = Assert.Single(recording.Requests);
        Assert.Equal(1, request.Sequence);
        Assert.False(request.IsStreaming);
        Assert.Equal("ping", Assert.Single(request.Messages).Text);
        Assert.Equal("m1", request.ModelId);
        Assert.Equal(0.2f, request.Options?.Temperature);
        Assert.Same(response, request.Response);
        Assert.Empty(request.Updates);
        Assert.Null(request.Exception);
        Assert.Equal(time.Start, request.StartedAt);
        Assert.Equal(time.Start.AddSeconds(2), request.CompletedAt);
    }

    [Fact]
    public async Task GetResponseAsync_CallerMutatesListAfterCall_RecordedMessagesUnchanged()
    {
        using var recording = new RecordingChatClient(new ScriptedChatClient().ReturnsText("a").ReturnsText("b"));
        var history = new List<ChatMessage> { new(ChatRole.User, "first") };

        ChatResponse response = await recording.GetResponseAsync(history);
        history.AddMessages(response);
        history.Add(new ChatMessage(ChatRole.User, "second"));
        await recording.GetResponseAsync(history);

        Assert.Single(recording.Requests[0].Messages);
        Assert.Equal(3, recording.Requests[1].Messages.Count);
    }

    [Fact]
    public async Task GetResponseAsync_CallerMutatesOptionsAfterCall_RecordedOptionsUnchanged()
    {
        using var recording = new RecordingChatClient(new ScriptedChatClient().ReturnsText("a"));
        var options = new ChatOptions { ModelId = "before", Tools = [] };

        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], options);
        options.ModelId = "after";
        options.Tools.Add(AIFunctionFactory.Create(() => 42, "answer"));

        RecordedChatRequest request = Assert.Single(recording.Requests);
        Assert.NotSame(options, request.Options);
        Assert.Equal("before", request.ModelId);
        Assert.Empty(request.Options!.Tools!);
    }

    [Fact]
    public async Task GetResponseAsync_NoOptions_RecordsNullOptions()
    {
        using var recording = new RecordingChatClient(new ScriptedChatClient().ReturnsText("a"));

        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        Assert.Null(recording.Requests[0].Options);
        Assert.Null(recording.Requests[0].ModelId);
    }

    [Fact]
    public async Task GetResponseAsync_InnerThrows_RecordsExceptionAndRethrows()
    {
        using var recording = new RecordingChatClient(new ScriptedChatClient().FailsWithRateLimit());

        var thrown = await Assert.ThrowsAsync<RateLimitedException>(() => recording.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));

        RecordedChatRequest request = Assert.Single(recording.Requests);
        Assert.Same(thrown, request.Exception);
        Assert.Null(request.Response);
        Assert.NotNull(request.CompletedAt);
    }

    [Fact]
    public async Task GetResponseAsync_InFlight_RecordedAtStartWithoutCompletion()
    {
        var time = new FakeTimeProvider();
        using var recording = new RecordingChatClient(new ScriptedChatClient(time).ReturnsText("a").WithLatency(TimeSpan.FromSeconds(1)), time);

        Task<ChatResponse> call = recording.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        RecordedChatRequest inFlight = Assert.Single(recording.Requests);
        Assert.Null(inFlight.CompletedAt);
        Assert.Null(inFlight.Response);
        time.Advance(TimeSpan.FromSeconds(1));
        await call;
        Assert.NotNull(inFlight.Response);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Stream_RecordsEveryUpdateAndCombinedResponse()
    {
        var usage = new UsageDetails { InputTokenCount = 3, OutputTokenCount = 2, TotalTokenCount = 5 };
        using var recording = new RecordingChatClient(new ScriptedChatClient().ReturnsText("hello world", usage));
        var seen = new List<ChatResponseUpdate>();

        await foreach (ChatResponseUpdate update in recording.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
        {
            seen.Add(update);
        }

        RecordedChatRequest request = Assert.Single(recording.Requests);
        Assert.True(request.IsStreaming);
        Assert.Equal(seen, request.Updates);
        Assert.Equal("hello world", request.Response?.Text);
        Assert.Equal(5, request.Response?.Usage?.TotalTokenCount);
        Assert.Null(request.Exception);
        Assert.NotNull(request.CompletedAt);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_MidStreamFailure_RecordsPartialResponseAndException()
    {
        var failure = new ProviderException("cut", "fake", null, LlmFailureKind.Network);
        using var recording = new RecordingChatClient(new ScriptedChatClient().StreamsThenFails(["par", "tial"], failure));

        await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (ChatResponseUpdate update in recording.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
            {
                _ = update;
            }
        });

        RecordedChatRequest request = Assert.Single(recording.Requests);
        Assert.Same(failure, request.Exception);
        Assert.Equal(2, request.Updates.Count);
        Assert.Equal("partial", request.Response?.Text);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConsumerStopsEarly_RecordsReceivedUpdatesAndCompletes()
    {
        using var recording = new RecordingChatClient(new ScriptedChatClient().ReturnsText("one two three"));

        await foreach (ChatResponseUpdate update in recording.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
        {
            _ = update;
            break;
        }

        RecordedChatRequest request = Assert.Single(recording.Requests);
        Assert.Single(request.Updates);
        Assert.Equal("one", request.Response?.Text);
        Assert.NotNull(request.CompletedAt);
        Assert.Null(request.Exception);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_NotEnumerated_RecordsNothing()
    {
        using var recording = new RecordingChatClient(new ScriptedChatClient().ReturnsText("a"));

        _ = recording.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]);
        await Task.Yield();

        Assert.Empty(recording.Requests);
    }

    [Fact]
    public async Task Requests_ConcurrentCalls_RecordsEveryCallWithUniqueSequence()
    {
        var scripted = new ScriptedChatClient
        {
            FallbackResponder = (messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, messages.Last().Text)),
        };
        using var recording = new RecordingChatClient(scripted);

        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            ChatMessage[] messages = [new(ChatRole.User, "m" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
            if (i % 2 == 0)
            {
                await recording.GetResponseAsync(messages);
            }
            else
            {
                await recording.GetStreamingResponseAsync(messages).ToChatResponseAsync();
            }
        })));

        IReadOnlyList<RecordedChatRequest> requests = recording.Requests;
        Assert.Equal(100, requests.Count);
        Assert.Equal(Enumerable.Range(1, 100), requests.Select(r => r.Sequence));
        Assert.Equal(100, requests.Select(r => r.LastUserText).Distinct().Count());
        Assert.All(requests, r => Assert.Equal(r.LastUserText, r.Response?.Text));
        Assert.Equal(50, requests.Count(r => r.IsStreaming));
    }

    [Fact]
    public async Task Clear_AfterCalls_EmptiesRequestsButKeepsSequenceCounting()
    {
        using var recording = new RecordingChatClient(new ScriptedChatClient().ReturnsText("a").ReturnsText("b"));
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        recording.Clear();

        Assert.Empty(recording.Requests);
        Assert.Equal(0, recording.Count);
        Assert.Null(recording.LastRequest);
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "again")]);
        Assert.Equal(2, Assert.Single(recording.Requests).Sequence);
    }

    [Fact]
    public async Task Requests_Snapshot_DoesNotChangeWithLaterCalls()
    {
        using var recording = new RecordingChatClient(new ScriptedChatClient().ReturnsText("a").ReturnsText("b"));
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "one")]);

        IReadOnlyList<RecordedChatRequest> snapshot = recording.Requests;
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "two")]);

        Assert.Single(snapshot);
        Assert.Equal(2, recording.Count);
        Assert.Equal("two", recording.LastRequest?.LastUserText);
    }

    [Fact]
    public void GetService_InnerScriptedClient_ReachableThroughRecording()
    {
        var scripted = new ScriptedChatClient();
        using var recording = new RecordingChatClient(scripted);

        Assert.Same(recording, recording.GetService<RecordingChatClient>());
        Assert.Same(scripted, recording.GetService<ScriptedChatClient>());
        Assert.Equal("fake", recording.GetService<ChatClientMetadata>()?.ProviderName);
    }

    [Fact]
    public void Ctor_NullInner_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new RecordingChatClient(null!));
    }

    [Fact]
    public async Task GetResponseAsync_NullMessages_Throws()
    {
        using var recording = new RecordingChatClient(new ScriptedChatClient());

        await Assert.ThrowsAsync<ArgumentNullException>(() => recording.GetResponseAsync(null!));
        Assert.Throws<ArgumentNullException>(() => recording.GetStreamingResponseAsync(null!));
        Assert.Empty(recording.Requests);
    }
}
