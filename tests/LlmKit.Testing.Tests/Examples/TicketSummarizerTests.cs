using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Testing.Tests.Examples;

/// <summary>The example test of src/LlmKit.Testing/README.md, compiled and run to keep the README honest.</summary>
public sealed class TicketSummarizerTests
{
    [Fact]
    public async Task SummarizeAsync_RateLimitedOnce_WaitsRetryAfterThenReturnsSummary()
    {
        // Arrange: a fake clock, a scripted model and a recorder around it.
        var time = new FakeTimeProvider();
        var model = new ScriptedChatClient(time)
            .FailsWithRateLimit(retryAfter: TimeSpan.FromSeconds(2))
            .ReturnsText("Customer cannot log in since the update.");
        using var recording = new RecordingChatClient(model, time);
        var summarizer = new TicketSummarizer(recording, time);

        // Act: the first call is rate limited, so the summarizer waits on the fake clock.
        Task<string> summary = summarizer.SummarizeAsync("Hi, since yesterday's update I can't log in anymore.");
        Assert.False(summary.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));

        // Assert: the answer, and what was sent to the model.
        Assert.Equal("Customer cannot log in since the update.", await summary);
        ChatAssert.CallCount(recording, 2);
        ChatAssert.SentModel(recording, "gpt-4o-mini");
        ChatAssert.SentSystemMessage(recording, "one sentence");
        ChatAssert.SentUserMessage(recording, "can't log in");
        ChatAssert.SentOption(recording, o => o.Temperature, 0f);
        Assert.IsType<RateLimitedException>(recording.Requests[0].Exception);
        Assert.Equal(time.Start.AddSeconds(2), recording.Requests[1].StartedAt);
    }

    [Fact]
    public async Task SummarizeAsync_QuotaExhausted_DoesNotRetry()
    {
        var time = new FakeTimeProvider();
        using var recording = new RecordingChatClient(new ScriptedChatClient(time).FailsWithQuotaExhausted(), time);
        var summarizer = new TicketSummarizer(recording, time);

        await Assert.ThrowsAsync<RateLimitedException>(() => summarizer.SummarizeAsync("Printer on fire."));

        ChatAssert.CallCount(recording, 1);
    }
}
