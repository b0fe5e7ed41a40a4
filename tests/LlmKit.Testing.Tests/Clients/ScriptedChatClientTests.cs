using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Testing.Tests;

public sealed class ScriptedChatClientTests
{
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "Hello")];

    [Fact]
    public async Task GetResponseAsync_SeveralSteps_ReturnsThemInScriptOrder()
    {
        var client = new ScriptedChatClient()
            .ReturnsText("first")
            .ReturnsText("second")
            .ReturnsText("third");

        ChatResponse one = await client.GetResponseAsync(Hello);
        ChatResponse two = await client.GetResponseAsync(Hello);
        ChatResponse three = await client.GetResponseAsync(Hello);

        Assert.Equal(["first", "second", "third"], [one.Text, two.Text, three.Text]);
    }

    [Fact]
    public async Task ReturnsText_NonStreaming_SetsAssistantRoleStopModelUsageAndIds()
    {
        var time = new FakeTimeProvider();
        var usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 2, TotalTokenCount = 12 };
        var client = new ScriptedChatClient(time).ReturnsText("Hi there", usage);

        ChatResponse response = await client.GetResponseAsync(Hello);

        ChatMessage message = Assert.Single(response.Messages);
        Assert.Equal(ChatRole.Assistant, message.Role);
        Assert.Equal("Hi there", message.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("fake-model", response.ModelId);
        Assert.Same(usage, response.Usage);
        Assert.Equal("fake-response-1", response.ResponseId);
        Assert.Equal(time.GetUtcNow(), response.CreatedAt);
    }

    [Fact]
    public async Task ReturnsText_WithoutUsage_ReportsNoUsage()
    {
        var client = new ScriptedChatClient().ReturnsText("Hi");

        ChatResponse response = await client.GetResponseAsync(Hello);

        Assert.Null(response.Usage);
    }

    [Fact]
    public async Task GetResponseAsync_OptionsWithModelId_ReportsRequestedModel()
    {
        var client = new ScriptedChatClient().ReturnsText("Hi");

        ChatResponse response = await client.GetResponseAsync(Hello, new ChatOptions { ModelId = "gpt-4o-mini" });

        Assert.Equal("gpt-4o-mini", response.ModelId);
    }

    [Fact]
    public async Task DefaultModelId_Changed_ReportedWhenOptionsHaveNoModel()
    {
        var client = new ScriptedChatClient { DefaultModelId = "claude-test" }.ReturnsText("Hi");

        ChatResponse response = await client.GetResponseAsync(Hello);

        Assert.Equal("claude-test", response.ModelId);
        Assert.Equal("claude-test", client.GetService<ChatClientMetadata>()?.DefaultModelId);
    }

    [Fact]
    public void DefaultModelId_Blank_Throws()
    {
        var client = new ScriptedChatClient();

        Assert.Throws<ArgumentException>(() => client.DefaultModelId = " ");
        Assert.Throws<ArgumentNullException>(() => client.ProviderName = null!);
    }

    [Fact]
    public async Task ReturnsToolCall_NoCallId_ReturnsFunctionCallWithGeneratedIdAndToolCallsFinish()
    {
        var client = new ScriptedChatClient()
            .ReturnsToolCall("get_weather", new Dictionary<string, object?> { ["city"] = "Paris" });

        ChatResponse response = await client.GetResponseAsync(Hello);

        FunctionCallContent call = Assert.IsType<FunctionCallContent>(Assert.Single(Assert.Single(response.Messages).Contents));
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("call_1_1", call.CallId);
        Assert.Equal("Paris", call.Arguments?["city"]);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(ChatRole.Assistant, response.Messages[0].Role);
    }

    [Fact]
    public async Task ReturnsToolCall_ArgumentsChangedAfterScripting_ReturnsScriptedCopy()
    {
        var arguments = new Dictionary<string, object?> { ["city"] = "Paris" };
        var client = new ScriptedChatClient().ReturnsToolCall("get_weather", arguments, "call_abc");
        arguments["city"] = "Rome";

        ChatResponse response = await client.GetResponseAsync(Hello);

        FunctionCallContent call = Assert.IsType<FunctionCallContent>(response.Messages[0].Contents[0]);
        Assert.Equal("call_abc", call.CallId);
        Assert.Equal("Paris", call.Arguments?["city"]);
    }

    [Fact]
    public async Task ReturnsToolCalls_Parallel_ReturnsAllCallsInOneAssistantMessage()
    {
        var client = new ScriptedChatClient().ReturnsToolCalls(
            new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }),
            new FunctionCallContent("c2", "get_time", new Dictionary<string, object?> { ["zone"] = "CET" }));

        ChatResponse response = await client.GetResponseAsync(Hello);

        ChatMessage message = Assert.Single(response.Messages);
        Assert.Equal(["c1", "c2"], message.Contents.OfType<FunctionCallContent>().Select(c => c.CallId));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public void ReturnsToolCalls_Empty_Throws()
    {
        var client = new ScriptedChatClient();

        Assert.Throws<ArgumentException>(() => client.ReturnsToolCalls());
        Assert.Equal(0, client.RemainingSteps);
    }

    [Fact]
    public async Task ReturnsResponse_ExactResponse_ReturnedWithMissingFieldsFilled()
    {
        var scripted = new ChatResponse(new ChatMessage(ChatRole.Assistant, "exact")) { FinishReason = ChatFinishReason.Length };
        var client = new ScriptedChatClient().ReturnsResponse(scripted);

        ChatResponse response = await client.GetResponseAsync(Hello);

        Assert.Same(scripted, response);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal("fake-model", response.ModelId);
        Assert.Equal("fake-response-1", response.ResponseId);
    }

    [Fact]
    public async Task Responds_Responder_ComputesResponseFromMessagesAndOptions()
    {
        var client = new ScriptedChatClient()
            .Responds((messages, options) => new ChatResponse(new ChatMessage(ChatRole.Assistant, $"echo: {messages.Last().Text} @ {options?.Temperature}")));

        ChatResponse response = await client.GetResponseAsync(Hello, new ChatOptions { Temperature = 0.5f });

        Assert.Equal("echo: Hello @ 0.5", response.Text);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_TextStep_StreamsWordByWordThenUsageUpdate()
    {
        var usage = new UsageDetails { InputTokenCount = 5, OutputTokenCount = 3, TotalTokenCount = 8 };
        var client = new ScriptedChatClient().ReturnsText("Hello big world", usage);

        List<ChatResponseUpdate> updates = await ToListAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Equal(4, updates.Count);
        Assert.Equal(["Hello", " big", " world"], updates.Take(3).Select(u => u.Text));
        Assert.Equal(ChatFinishReason.Stop, updates[2].FinishReason);
        Assert.Null(updates[0].FinishReason);
        UsageContent usageContent = Assert.IsType<UsageContent>(Assert.Single(updates[3].Contents));
        Assert.Same(usage, usageContent.Details);
        Assert.All(updates, u => Assert.Equal("fake-model", u.ModelId));
        Assert.All(updates, u => Assert.Equal("fake-response-1", u.ResponseId));
        Assert.All(updates, u => Assert.Equal(ChatRole.Assistant, u.Role));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_TextStepCombined_EqualsNonStreamingResponse()
    {
        var usage = new UsageDetails { InputTokenCount = 5, OutputTokenCount = 3, TotalTokenCount = 8 };
        var client = new ScriptedChatClient()
            .ReturnsText("The  quick brown fox. ", usage)
            .ReturnsText("The  quick brown fox. ", usage);

        ChatResponse direct = await client.GetResponseAsync(Hello);
        ChatResponse streamed = await client.GetStreamingResponseAsync(Hello).ToChatResponseAsync();

        Assert.Equal(direct.Text, streamed.Text);
        Assert.Single(streamed.Messages);
        Assert.Equal(ChatFinishReason.Stop, streamed.FinishReason);
        Assert.Equal(8, streamed.Usage?.TotalTokenCount);
        Assert.DoesNotContain(streamed.Messages[0].Contents, c => c is UsageContent);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ToolCallStep_StreamsCallWithToolCallsFinish()
    {
        var client = new ScriptedChatClient()
            .ReturnsToolCall("search", new Dictionary<string, object?> { ["q"] = "llm" }, "call_1");

        List<ChatResponseUpdate> updates = await ToListAsync(client.GetStreamingResponseAsync(Hello));

        ChatResponseUpdate update = Assert.Single(updates);
        FunctionCallContent call = Assert.IsType<FunctionCallContent>(Assert.Single(update.Contents));
        Assert.Equal("search", call.Name);
        Assert.Equal(ChatFinishReason.ToolCalls, update.FinishReason);
    }

    [Fact]
    public async Task StreamsChunks_Streaming_YieldsExactChunksThenUsage()
    {
        var usage = new UsageDetails { OutputTokenCount = 3 };
        var client = new ScriptedChatClient().StreamsChunks(["Hel", "lo", "!"], usage: usage);

        List<ChatResponseUpdate> updates = await ToListAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Equal(["Hel", "lo", "!", ""], updates.Select(u => u.Text));
        Assert.Equal(ChatFinishReason.Stop, updates[2].FinishReason);
        Assert.Same(usage, Assert.IsType<UsageContent>(Assert.Single(updates[3].Contents)).Details);
        Assert.Equal("Hello!", (await new ScriptedChatClient().StreamsChunks(["Hel", "lo", "!"]).GetStreamingResponseAsync(Hello).ToChatResponseAsync()).Text);
    }

    [Fact]
    public async Task StreamsChunks_NoUsage_EndsWithLastChunk()
    {
        var client = new ScriptedChatClient().StreamsChunks(["a", "b"]);

        List<ChatResponseUpdate> updates = await ToListAsync(client.GetStreamingResponseAsync(Hello));

        Assert.Equal(["a", "b"], updates.Select(u => u.Text));
        Assert.DoesNotContain(updates, u => u.Contents.OfType<UsageContent>().Any());
    }

    [Fact]
    public async Task StreamsChunks_NonStreaming_ReturnsConcatenatedTextWithUsage()
    {
        var usage = new UsageDetails { OutputTokenCount = 3 };
        var client = new ScriptedChatClient().StreamsChunks(["Hel", "lo", "!"], usage: usage);

        ChatResponse response = await client.GetResponseAsync(Hello);

        Assert.Equal("Hello!", response.Text);
        Assert.Same(usage, response.Usage);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task StreamsChunks_DelayPerChunk_EachChunkArrivesOnlyAfterAdvance()
    {
        var time = new FakeTimeProvider();
        var client = new ScriptedChatClient(time).StreamsChunks(["one", " two"], TimeSpan.FromMilliseconds(100));
        await using IAsyncEnumerator<ChatResponseUpdate> stream = client.GetStreamingResponseAsync(Hello).GetAsyncEnumerator();

        ValueTask<bool> first = stream.MoveNextAsync();
        Assert.False(first.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(await first);
        Assert.Equal("one", stream.Current.Text);

        ValueTask<bool> second = stream.MoveNextAsync();
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await second);
        Assert.Equal(" two", stream.Current.Text);

        Assert.False(await stream.MoveNextAsync());
    }

    [Fact]
    public async Task StreamsChunks_DelayPerChunkNonStreaming_WaitsForAllChunks()
    {
        var time = new FakeTimeProvider();
        var client = new ScriptedChatClient(time).StreamsChunks(["a", "b", "c"], TimeSpan.FromSeconds(1));

        Task<ChatResponse> call = client.GetResponseAsync(Hello);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("abc", (await call).Text);
    }

    [Fact]
    public void StreamsChunks_NegativeDelay_Throws()
    {
        var client = new ScriptedChatClient();

        Assert.Throws<ArgumentOutOfRangeException>(() => client.StreamsChunks(["a"], TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentNullException>(() => client.StreamsChunks(["a", null!]));
    }

    [Fact]
    public async Task StreamsThenFails_Streaming_YieldsChunksThenThrowsScriptedException()
    {
        var failure = new ProviderException("connection reset", "fake", null, LlmFailureKind.Network);
        var client = new ScriptedChatClient().StreamsThenFails(["partial", " answer"], failure);
        var received = new List<string>();

        var thrown = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Hello))
            {
                received.Add(update.Text);
            }
        });

        Assert.Same(failure, thrown);
        Assert.Equal(["partial", " answer"], received);
    }

    [Fact]
    public async Task StreamsThenFails_Streaming_NoFinishReasonOnChunks()
    {
        var client = new ScriptedChatClient().StreamsThenFails(["a", "b"], new InvalidOperationException("cut"));
        var finishReasons = new List<ChatFinishReason?>();

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Hello))
            {
                finishReasons.Add(update.FinishReason);
            }
        });

        Assert.Equal([null, null], finishReasons);
    }

    [Fact]
    public async Task StreamsThenFails_NonStreaming_ThrowsScriptedException()
    {
        var failure = new InvalidOperationException("cut");
        var client = new ScriptedChatClient().StreamsThenFails(["a"], failure);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync(Hello));

        Assert.Same(failure, thrown);
    }

    [Fact]
    public async Task FailsWithRateLimit_RetryAfter_ThrowsRateLimitedExceptionWithProviderDetails()
    {
        var client = new ScriptedChatClient().FailsWithRateLimit(TimeSpan.FromSeconds(7));

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => client.GetResponseAsync(Hello, new ChatOptions { ModelId = "gpt-x" }));

        Assert.Equal("fake", ex.Provider);
        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
        Assert.Equal(LlmFailureKind.RateLimited, ex.FailureKind);
        Assert.True(ex.IsRetryable);
        Assert.False(ex.IsQuotaExhausted);
        Assert.Equal("rate_limit_exceeded", ex.ProviderErrorCode);
        Assert.Equal("fake-request-1", ex.RequestId);
        Assert.Contains("gpt-x", ex.Message, StringComparison.Ordinal);
        Assert.Contains("429", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailsWithRateLimit_NoRetryAfterAndCustomProvider_ReportsNullRetryAfterAndProviderName()
    {
        var client = new ScriptedChatClient { ProviderName = "openai" }.FailsWithRateLimit();

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => client.GetResponseAsync(Hello));

        Assert.Null(ex.RetryAfter);
        Assert.Equal("openai", ex.Provider);
    }

    [Fact]
    public async Task FailsWithRateLimit_Streaming_ThrowsOnFirstMoveNext()
    {
        var client = new ScriptedChatClient().FailsWithRateLimit();
        IAsyncEnumerable<ChatResponseUpdate> stream = client.GetStreamingResponseAsync(Hello);

        Assert.Equal(0, client.CallCount);
        await Assert.ThrowsAsync<RateLimitedException>(() => ToListAsync(stream));
        Assert.Equal(1, client.CallCount);
    }

    [Fact]
    public async Task FailsWithQuotaExhausted_Always_ThrowsNonRetryableQuotaFailure()
    {
        var client = new ScriptedChatClient().FailsWithQuotaExhausted();

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => client.GetResponseAsync(Hello));

        Assert.True(ex.IsQuotaExhausted);
        Assert.False(ex.IsRetryable);
        Assert.Equal(LlmFailureKind.QuotaExhausted, ex.FailureKind);
        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
    }

    [Fact]
    public async Task FailsWithOverload_Default_ThrowsRetryableOverloadWith529()
    {
        var client = new ScriptedChatClient().FailsWithOverload();

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(529, (int?)ex.StatusCode);
        Assert.Equal(LlmFailureKind.Overloaded, ex.FailureKind);
        Assert.True(ex.IsRetryable);
        Assert.Equal("fake", ex.Provider);
        Assert.Equal("overloaded_error", ex.ProviderErrorCode);
    }

    [Fact]
    public async Task FailsWithOverload_503_ThrowsOverloadWith503()
    {
        var client = new ScriptedChatClient().FailsWithOverload(HttpStatusCode.ServiceUnavailable);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal(LlmFailureKind.Overloaded, ex.FailureKind);
    }

    [Fact]
    public async Task FailsWithServerError_Default_ThrowsRetryableServerErrorWith500()
    {
        var client = new ScriptedChatClient().FailsWithServerError();

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(Hello));

        Assert.IsNotType<RateLimitedException>(ex);
        Assert.Equal(HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.Equal(LlmFailureKind.ServerError, ex.FailureKind);
        Assert.True(ex.IsRetryable);
        Assert.Equal("fake", ex.Provider);
    }

    [Fact]
    public async Task FailsWithServerError_502_ReportsGivenStatus()
    {
        var client = new ScriptedChatClient().FailsWithServerError(HttpStatusCode.BadGateway);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(HttpStatusCode.BadGateway, ex.StatusCode);
    }

    [Fact]
    public async Task FailsWithContextWindowExceeded_Always_ThrowsWithProviderAndModel()
    {
        var client = new ScriptedChatClient().FailsWithContextWindowExceeded();

        var ex = await Assert.ThrowsAsync<ContextWindowExceededException>(() => client.GetResponseAsync(Hello, new ChatOptions { ModelId = "small-model" }));

        Assert.Equal("fake", ex.Provider);
        Assert.Equal("small-model", ex.ModelId);
        Assert.Equal(LlmFailureKind.ContextWindowExceeded, ex.FailureKind);
    }

    [Fact]
    public async Task Throws_CustomException_ThrowsSameInstanceStreamingOrNot()
    {
        var first = new TimeoutException("slow");
        var second = new TimeoutException("slower");
        var client = new ScriptedChatClient().Throws(first).Throws(second);

        Assert.Same(first, await Assert.ThrowsAsync<TimeoutException>(() => client.GetResponseAsync(Hello)));
        Assert.Same(second, await Assert.ThrowsAsync<TimeoutException>(() => ToListAsync(client.GetStreamingResponseAsync(Hello))));
    }

    [Fact]
    public async Task WithLatency_NonStreaming_CompletesOnlyAfterClockAdvancesByLatency()
    {
        var time = new FakeTimeProvider();
        var client = new ScriptedChatClient(time).ReturnsText("late").WithLatency(TimeSpan.FromSeconds(2));

        Task<ChatResponse> call = client.GetResponseAsync(Hello);
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1.999));
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        ChatResponse response = await call;
        Assert.Equal("late", response.Text);
        Assert.Equal(Y2KPlus(2), response.CreatedAt);
    }

    [Fact]
    public async Task WithLatency_Failure_ThrowsOnlyAfterLatency()
    {
        var time = new FakeTimeProvider();
        var client = new ScriptedChatClient(time).FailsWithOverload().WithLatency(TimeSpan.FromSeconds(1));

        Task<ChatResponse> call = client.GetResponseAsync(Hello);
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<ProviderException>(() => call);
    }

    [Fact]
    public async Task WithLatency_Streaming_FirstUpdateWaitsForLatency()
    {
        var time = new FakeTimeProvider();
        var client = new ScriptedChatClient(time).ReturnsText("a b").WithLatency(TimeSpan.FromSeconds(3));
        await using IAsyncEnumerator<ChatResponseUpdate> stream = client.GetStreamingResponseAsync(Hello).GetAsyncEnumerator();

        ValueTask<bool> first = stream.MoveNextAsync();
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(first.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(await first);
        Assert.Equal("a", stream.Current.Text);
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal(" b", stream.Current.Text);
    }

    [Fact]
    public async Task WithLatency_AppliesOnlyToPrecedingStep()
    {
        var time = new FakeTimeProvider();
        var client = new ScriptedChatClient(time)
            .ReturnsText("slow").WithLatency(TimeSpan.FromSeconds(5))
            .ReturnsText("fast");

        Task<ChatResponse> slow = client.GetResponseAsync(Hello);
        Task<ChatResponse> fast = client.GetResponseAsync(Hello);

        Assert.True(fast.IsCompletedSuccessfully);
        Assert.False(slow.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("slow", (await slow).Text);
        Assert.Equal("fast", (await fast).Text);
    }

    [Fact]
    public async Task WithLatency_CancelledWhileWaiting_ThrowsOperationCanceledAndConsumesStep()
    {
        var time = new FakeTimeProvider();
        var client = new ScriptedChatClient(time).ReturnsText("never").WithLatency(TimeSpan.FromSeconds(10));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1), time);

        Task<ChatResponse> call = client.GetResponseAsync(Hello, cancellationToken: cts.Token);
        time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(0, client.RemainingSteps);
        Assert.Equal(1, client.CallCount);
    }

    [Fact]
    public async Task WithLatency_StreamingCancelledWhileWaiting_ThrowsOperationCanceled()
    {
        var time = new FakeTimeProvider();
        var client = new ScriptedChatClient(time).ReturnsText("never").WithLatency(TimeSpan.FromSeconds(10));
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<ChatResponseUpdate> stream = client.GetStreamingResponseAsync(Hello, cancellationToken: cts.Token).GetAsyncEnumerator();

        ValueTask<bool> first = stream.MoveNextAsync();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await first);
    }

    [Fact]
    public void WithLatency_NothingScripted_ThrowsInvalidOperation()
    {
        var client = new ScriptedChatClient();

        var ex = Assert.Throws<InvalidOperationException>(() => client.WithLatency(TimeSpan.FromSeconds(1)));

        Assert.Contains("WithLatency", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithLatency_PrecedingStepAlreadyConsumed_ThrowsInvalidOperation()
    {
        var client = new ScriptedChatClient().ReturnsText("a");
        await client.GetResponseAsync(Hello);

        Assert.Throws<InvalidOperationException>(() => client.WithLatency(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void WithLatency_Negative_Throws()
    {
        var client = new ScriptedChatClient().ReturnsText("a");

        Assert.Throws<ArgumentOutOfRangeException>(() => client.WithLatency(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task DefaultLatency_Set_AppliesToStepsWithoutOwnLatency()
    {
        var time = new FakeTimeProvider();
        var client = new ScriptedChatClient(time) { DefaultLatency = TimeSpan.FromSeconds(1) }
            .ReturnsText("default")
            .ReturnsText("own").WithLatency(TimeSpan.Zero);

        Task<ChatResponse> first = client.GetResponseAsync(Hello);
        Task<ChatResponse> second = client.GetResponseAsync(Hello);

        Assert.False(first.IsCompleted);
        Assert.True(second.IsCompletedSuccessfully);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("default", (await first).Text);
    }

    [Fact]
    public async Task GetResponseAsync_ScriptExhausted_ThrowsNamingScriptedCount()
    {
        var client = new ScriptedChatClient().ReturnsText("a").ReturnsText("b");
        await client.GetResponseAsync(Hello);
        await client.GetResponseAsync(Hello);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync(Hello));

        Assert.Contains("call #3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("only 2 call(s) were scripted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ScriptExhausted_ThrowsWhenEnumerated()
    {
        var client = new ScriptedChatClient();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ToListAsync(client.GetStreamingResponseAsync(Hello)));

        Assert.Contains("only 0 call(s) were scripted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FallbackResponder_ScriptExhausted_AnswersRemainingCallsStreamingOrNot()
    {
        var client = new ScriptedChatClient
        {
            FallbackResponder = (messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "fallback for " + messages.Last().Text)),
        }.ReturnsText("scripted");

        ChatResponse first = await client.GetResponseAsync(Hello);
        ChatResponse second = await client.GetResponseAsync(Hello);
        ChatResponse third = await client.GetStreamingResponseAsync(Hello).ToChatResponseAsync();

        Assert.Equal("scripted", first.Text);
        Assert.Equal("fallback for Hello", second.Text);
        Assert.Equal("fallback for Hello", third.Text);
        Assert.Equal("fake-model", second.ModelId);
    }

    [Fact]
    public async Task CallCountAndRemainingSteps_AsCallsAreMade_Track()
    {
        var client = new ScriptedChatClient().ReturnsText("a").FailsWithServerError().ReturnsText("c");
        Assert.Equal(0, client.CallCount);
        Assert.Equal(3, client.RemainingSteps);

        await client.GetResponseAsync(Hello);
        await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync(Hello));

        Assert.Equal(2, client.CallCount);
        Assert.Equal(1, client.RemainingSteps);
    }

    [Fact]
    public async Task GetResponseAsync_AlreadyCancelled_ThrowsWithoutConsumingStep()
    {
        var client = new ScriptedChatClient().ReturnsText("a");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync(Hello, cancellationToken: new CancellationToken(true)));

        Assert.Equal(1, client.RemainingSteps);
    }

    [Fact]
    public async Task GetResponseAsync_NullMessages_Throws()
    {
        var client = new ScriptedChatClient();

        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetResponseAsync(null!));
        Assert.Throws<ArgumentNullException>(() => client.GetStreamingResponseAsync(null!));
    }

    [Fact]
    public void GetService_OwnTypeAndMetadata_ReturnsThemAndNullOtherwise()
    {
        using var client = new ScriptedChatClient { ProviderName = "fake-openai" };

        Assert.Same(client, client.GetService<ScriptedChatClient>());
        Assert.Same(client, client.GetService<IChatClient>());
        ChatClientMetadata? metadata = client.GetService<ChatClientMetadata>();
        Assert.Equal("fake-openai", metadata?.ProviderName);
        Assert.Equal("fake-model", metadata?.DefaultModelId);
        Assert.Null(client.GetService<RecordingChatClient>());
        Assert.Null(client.GetService(typeof(ScriptedChatClient), "key"));
        Assert.Throws<ArgumentNullException>(() => client.GetService(null!));
    }

    [Fact]
    public async Task GetResponseAsync_ConcurrentCallers_EachStepConsumedExactlyOnce()
    {
        var client = new ScriptedChatClient();
        for (int i = 0; i < 200; i++)
        {
            client.ReturnsText(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        ChatResponse[] responses = await Task.WhenAll(
            Enumerable.Range(0, 200).Select(_ => Task.Run(() => client.GetResponseAsync(Hello))));

        Assert.Equal(
            Enumerable.Range(0, 200).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal),
            responses.Select(r => r.Text).Order(StringComparer.Ordinal));
        Assert.Equal(200, client.CallCount);
        Assert.Equal(0, client.RemainingSteps);
        Assert.Equal(200, responses.Select(r => r.ResponseId).Distinct().Count());
    }

    // Microsoft's FakeTimeProvider starts at 2000-01-01T00:00:00Z.
    private static DateTimeOffset Y2KPlus(double seconds) => new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(seconds);

    private static async Task<List<ChatResponseUpdate>> ToListAsync(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var list = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in stream)
        {
            list.Add(update);
        }

        return list;
    }
}
