using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Testing.Tests;

public sealed class RecordedChatRequestTests
{
    [Fact]
    public async Task LastUserText_SeveralUserMessages_ReturnsLastOne()
    {
        using var recording = new RecordingChatClient(new ScriptedChatClient().ReturnsText("ok"));

        await recording.GetResponseAsync(
        [
            new ChatMessage(ChatRole.System, "be brief"),
            new ChatMessage(ChatRole.User, "first question"),
            new ChatMessage(ChatRole.Assistant, "first answer"),
            new ChatMessage(ChatRole.User, "second question"),
        ]);

        Assert.Equal("second question", recording.Requests[0].LastUserText);
    }

    [Fact]
    public async Task LastUserText_NoUserMessage_ReturnsNull()
    {
        using var recording = new RecordingChatClient(new ScriptedChatClient().ReturnsText("ok"));

        await recording.GetResponseAsync([new ChatMessage(ChatRole.System, "only system")]);

        Assert.Null(recording.Requests[0].LastUserText);
    }

    [Fact]
    public async Task Messages_CallerChangesMessageAuthorAfterCall_SnapshotKeepsOriginal()
    {
        using var recording = new RecordingChatClient(new ScriptedChatClient().ReturnsText("ok"));
        var message = new ChatMessage(ChatRole.User, "hi") { AuthorName = "alice" };

        await recording.GetResponseAsync([message]);
        message.AuthorName = "mallory";

        Assert.Equal("alice", recording.Requests[0].Messages[0].AuthorName);
    }

    [Fact]
    public async Task ModelId_OptionsWithModel_ReturnsOptionsModel()
    {
        using var recording = new RecordingChatClient(new ScriptedChatClient().ReturnsText("ok"));

        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "gpt-4o" });

        Assert.Equal("gpt-4o", recording.Requests[0].ModelId);
    }

    [Fact]
    public async Task CompletedAt_CancelledCall_RecordsCancellationAsException()
    {
        var time = new FakeTimeProvider();
        using var recording = new RecordingChatClient(new ScriptedChatClient(time).ReturnsText("ok").WithLatency(TimeSpan.FromSeconds(5)), time);
        using var cts = new CancellationTokenSource();

        Task<ChatResponse> call = recording.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], cancellationToken: cts.Token);
        time.Advance(TimeSpan.FromSeconds(1));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        RecordedChatRequest request = recording.Requests[0];
        Assert.IsAssignableFrom<OperationCanceledException>(request.Exception);
        Assert.Equal(time.Start.AddSeconds(1), request.CompletedAt);
    }
}
