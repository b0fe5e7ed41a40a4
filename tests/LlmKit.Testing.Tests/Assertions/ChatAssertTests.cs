using Microsoft.Extensions.AI;

namespace LlmKit.Testing.Tests;

public sealed class ChatAssertTests
{
    [Fact]
    public void NoCalls_NothingRecorded_Passes()
    {
        using var recording = NewRecording();

        ChatAssert.NoCalls(recording);
    }

    [Fact]
    public async Task NoCalls_CallRecorded_ThrowsListingTheCall()
    {
        using var recording = NewRecording();
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "unexpected")]);

        var ex = Assert.Throws<ChatAssertionException>(() => ChatAssert.NoCalls(recording));

        Assert.Contains("Expected no chat calls, but 1 call recorded.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("call #1: last user message \"unexpected\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallCount_MatchingCount_Passes()
    {
        using var recording = NewRecording();
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "a")]);
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "b")]);

        ChatAssert.CallCount(recording, 2);
    }

    [Fact]
    public async Task CallCount_DifferentCount_ThrowsWithExpectedAndActual()
    {
        using var recording = NewRecording();
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "a")]);

        var ex = Assert.Throws<ChatAssertionException>(() => ChatAssert.CallCount(recording, 3));

        Assert.StartsWith("Expected 3 calls, but 1 call recorded.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CallCount_Negative_ThrowsArgumentOutOfRange()
    {
        using var recording = NewRecording();

        Assert.Throws<ArgumentOutOfRangeException>(() => ChatAssert.CallCount(recording, -1));
    }

    [Fact]
    public async Task SentUserMessage_Contained_ReturnsMatchingRequest()
    {
        using var recording = NewRecording();
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "first")]);
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "Summarize this invoice")]);

        RecordedChatRequest request = ChatAssert.SentUserMessage(recording, "invoice");

        Assert.Equal(2, request.Sequence);
    }

    [Fact]
    public async Task SentUserMessage_OnlyInSystemMessage_ThrowsShowingRecordedUserMessages()
    {
        using var recording = NewRecording();
        await recording.GetResponseAsync([new ChatMessage(ChatRole.System, "invoice"), new ChatMessage(ChatRole.User, "hello")]);

        var ex = Assert.Throws<ChatAssertionException>(() => ChatAssert.SentUserMessage(recording, "invoice"));

        Assert.Contains("Expected a call with a user message containing \"invoice\", but none of the 1 call recorded matched.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("call #1: \"hello\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SentUserMessage_IgnoreCase_MatchesDifferentCase()
    {
        using var recording = NewRecording();
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "INVOICE")]);

        Assert.Throws<ChatAssertionException>(() => ChatAssert.SentUserMessage(recording, "invoice"));
        ChatAssert.SentUserMessage(recording, "invoice", StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void SentUserMessage_NoCalls_SaysNothingWasRecorded()
    {
        using var recording = NewRecording();

        var ex = Assert.Throws<ChatAssertionException>(() => ChatAssert.SentUserMessage(recording, "x"));

        Assert.EndsWith("but no chat calls were recorded.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SentUserMessage_LongRecordedText_TruncatedInMessage()
    {
        using var recording = NewRecording();
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, new string('a', 500))]);

        var ex = Assert.Throws<ChatAssertionException>(() => ChatAssert.SentUserMessage(recording, "b"));

        Assert.Contains(new string('a', 200) + "...\"", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('a', 201), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SentSystemMessage_SystemMessageOrInstructions_Matches()
    {
        using var recording = NewRecording();
        await recording.GetResponseAsync([new ChatMessage(ChatRole.System, "You are a pirate."), new ChatMessage(ChatRole.User, "hi")]);
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { Instructions = "Answer in French." });

        Assert.Equal(1, ChatAssert.SentSystemMessage(recording, "pirate").Sequence);
        Assert.Equal(2, ChatAssert.SentSystemMessage(recording, "French").Sequence);
    }

    [Fact]
    public async Task SentSystemMessage_Missing_ThrowsShowingRecordedSystemMessages()
    {
        using var recording = NewRecording();
        await recording.GetResponseAsync([new ChatMessage(ChatRole.System, "You are a pirate."), new ChatMessage(ChatRole.User, "pirate")]);
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        var ex = Assert.Throws<ChatAssertionException>(() => ChatAssert.SentSystemMessage(recording, "ninja"));

        Assert.Contains("call #1: \"You are a pirate.\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("call #2: no system message", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SentModel_MatchingModel_ReturnsRequest()
    {
        using var recording = NewRecording();
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "gpt-4o-mini" });

        Assert.Equal("gpt-4o-mini", ChatAssert.SentModel(recording, "gpt-4o-mini").ModelId);
    }

    [Fact]
    public async Task SentModel_OtherModel_ThrowsShowingRecordedModels()
    {
        using var recording = NewRecording();
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "gpt-4o-mini" });
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        var ex = Assert.Throws<ChatAssertionException>(() => ChatAssert.SentModel(recording, "gpt-4o"));

        Assert.Contains("Expected a call to model \"gpt-4o\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("call #1: \"gpt-4o-mini\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("call #2: no model id", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SentOption_MatchingValue_ReturnsRequest()
    {
        using var recording = NewRecording();
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { Temperature = 0.2f, MaxOutputTokens = 100 });

        ChatAssert.SentOption(recording, o => o.Temperature, 0.2f);
        ChatAssert.SentOption(recording, o => o.MaxOutputTokens, 100);
    }

    [Fact]
    public async Task SentOption_DifferentValue_ThrowsNamingSelectorAndRecordedValues()
    {
        using var recording = NewRecording();
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { Temperature = 0.7f });
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        var ex = Assert.Throws<ChatAssertionException>(() => ChatAssert.SentOption(recording, o => o.Temperature, 0.2f));

        Assert.Contains("Expected a call whose option o => o.Temperature is 0.2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("call #1: 0.7", ex.Message, StringComparison.Ordinal);
        Assert.Contains("call #2: no options", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SentTool_ToolOffered_ReturnsRequest()
    {
        using var recording = NewRecording();
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string city) => "sunny", "get_weather")] };
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "weather?")], options);

        Assert.Equal(1, ChatAssert.SentTool(recording, "get_weather").Sequence);
    }

    [Fact]
    public async Task SentTool_ToolNotOffered_ThrowsShowingOfferedTools()
    {
        using var recording = NewRecording();
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create(() => "now", "get_time")] };
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "weather?")], options);
        await recording.GetResponseAsync([new ChatMessage(ChatRole.User, "weather?")]);

        var ex = Assert.Throws<ChatAssertionException>(() => ChatAssert.SentTool(recording, "get_weather"));

        Assert.Contains("call #1: \"get_time\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("call #2: no tools", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Assertions_NullArguments_ThrowArgumentNull()
    {
        using var recording = NewRecording();

        Assert.Throws<ArgumentNullException>(() => ChatAssert.NoCalls(null!));
        Assert.Throws<ArgumentNullException>(() => ChatAssert.SentUserMessage(recording, null!));
        Assert.Throws<ArgumentNullException>(() => ChatAssert.SentModel(null!, "m"));
        Assert.Throws<ArgumentNullException>(() => ChatAssert.SentOption<float?>(recording, null!, 1f));
        Assert.Throws<ArgumentNullException>(() => ChatAssert.SentTool(recording, null!));
    }

    private static RecordingChatClient NewRecording() => new(new ScriptedChatClient
    {
        FallbackResponder = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")),
    });
}
