using LlmKit.Testing;
using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Conversations;

public class SummarizingChatReducerTests
{
    private static readonly TiktokenTokenizer T = TiktokenTokenizer.O200kBase;

    private const int Priming = 3;

    private static int Message(string role, string content) => 3 + T.CountTokens(role) + T.CountTokens(content);

    private static ChatMessage M(ChatRole role, string text, string id) => new(role, text) { MessageId = id };

    private static List<ChatMessage> History() =>
    [
        new(ChatRole.System, "Be helpful."),
        M(ChatRole.User, "My name is Ada and I plan a trip to Lisbon in May.", "u1"),
        M(ChatRole.Assistant, "Lovely. Lisbon in May is warm and sunny.", "a1"),
        M(ChatRole.User, "I need a hotel near the river, under 150 euros.", "u2"),
        M(ChatRole.Assistant, "Try the Alfama or Cais do Sodre areas.", "a2"),
        M(ChatRole.User, "Which day trips do you suggest?", "u3"),
    ];

    [Fact]
    public async Task ReduceAsync_BelowTrigger_ReturnsMessagesUnchangedWithoutCallingModel()
    {
        var model = new ScriptedChatClient();
        var history = History();
        int total = T.CountTokens(history);
        var reducer = new SummarizingChatReducer(model, T, new SummarizingChatReducerOptions { TriggerTokens = total, TargetTokens = total - 1 });

        var reduced = await reducer.ReduceAsync(history);

        Assert.Equal(history, reduced);
        Assert.Equal(0, model.CallCount);
    }

    [Fact]
    public async Task ReduceAsync_OverTrigger_SummarisesOldestGroupsDownToTarget()
    {
        var history = History();
        var model = new ScriptedChatClient().ReturnsText("Ada plans a Lisbon trip in May.");
        using var recording = new RecordingChatClient(model);

        // Target: the system message, the last two groups (a2, u3) verbatim, not a third.
        int target = Priming + Message("system", "Be helpful.") + Message("assistant", history[4].Text) + Message("user", history[5].Text);
        var reducer = new SummarizingChatReducer(recording, T, new SummarizingChatReducerOptions { TriggerTokens = T.CountTokens(history) - 1, TargetTokens = target, Model = "cheap-model", MaxSummaryTokens = 200 });

        var reduced = (await reducer.ReduceAsync(history)).ToList();

        Assert.Equal(4, reduced.Count);
        Assert.Same(history[0], reduced[0]);
        Assert.Equal(SummarizingChatReducer.SummaryPrefix + "Ada plans a Lisbon trip in May.", reduced[1].Text);
        Assert.Equal(ChatRole.System, reduced[1].Role);
        Assert.Equal("u2", reduced[1].AdditionalProperties![ConversationMetadataKeys.SummaryThrough]);
        Assert.Same(history[4], reduced[2]);
        Assert.Same(history[5], reduced[3]);

        var request = Assert.Single(recording.Requests);
        Assert.Equal("cheap-model", request.ModelId);
        Assert.Equal(200, request.Options!.MaxOutputTokens);
        string prompt = request.Messages[^1].Text;
        Assert.Contains("[user] My name is Ada", prompt, StringComparison.Ordinal);
        Assert.Contains("[user] I need a hotel near the river", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("day trips", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("Previous summary", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReduceAsync_PreviousSummaryPresent_BuildsOnItAndReplacesIt()
    {
        var previous = SummarizingChatReducer.CreateSummaryMessage("Ada plans a Lisbon trip in May.", "u2");
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "Be helpful."),
            previous,
            M(ChatRole.Assistant, "Try the Alfama or Cais do Sodre areas.", "a2"),
            M(ChatRole.User, "Which day trips do you suggest?", "u3"),
            M(ChatRole.Assistant, "Sintra and Cascais are easy by train.", "a3"),
            M(ChatRole.User, "Thanks. Book Sintra.", "u4"),
        ];
        var model = new ScriptedChatClient().ReturnsText("Ada plans a Lisbon trip in May; day trips: Sintra, Cascais.");
        using var recording = new RecordingChatClient(model);
        int target = Priming + Message("system", "Be helpful.") + Message("user", "Thanks. Book Sintra.");
        var reducer = new SummarizingChatReducer(recording, T, new SummarizingChatReducerOptions { TriggerTokens = target + 1, TargetTokens = target });

        var reduced = (await reducer.ReduceAsync(messages)).ToList();

        string prompt = Assert.Single(recording.Requests).Messages[^1].Text;
        Assert.StartsWith("Previous summary:\nAda plans a Lisbon trip in May.\n\nNew messages to fold in:\n[assistant] Try the Alfama", prompt, StringComparison.Ordinal);
        Assert.Contains("[assistant] Sintra and Cascais are easy by train.", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("Book Sintra", prompt, StringComparison.Ordinal);
        Assert.Equal(3, reduced.Count);
        Assert.DoesNotContain(previous, reduced);
        Assert.Equal("a3", reduced[1].AdditionalProperties![ConversationMetadataKeys.SummaryThrough]);
        Assert.Same(SummarizingChatReducer.FindSummary(reduced), reduced[1]);
    }

    [Fact]
    public async Task ReduceAsync_ToolCallGroup_SummarisedTogetherNeverSplit()
    {
        var call = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Lisbon" })]) { MessageId = "call" };
        var result = new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "sunny")]) { MessageId = "result" };
        var last = M(ChatRole.User, "Great.", "u2");
        List<ChatMessage> messages = [M(ChatRole.User, "Weather?", "u1"), call, result, last];
        var model = new ScriptedChatClient().ReturnsText("Asked for the weather: sunny.");

        // The target leaves room for the tool result, but not for its call.
        int target = Priming + Message("user", "Great.") + 3 + T.CountTokens("tool") + T.CountTokens("sunny");
        var reducer = new SummarizingChatReducer(model, T, new SummarizingChatReducerOptions { TriggerTokens = target + 1, TargetTokens = target });

        var reduced = (await reducer.ReduceAsync(messages)).ToList();

        Assert.Equal(2, reduced.Count);
        Assert.Equal("result", reduced[0].AdditionalProperties![ConversationMetadataKeys.SummaryThrough]);
        Assert.Same(last, reduced[1]);
    }

    [Fact]
    public async Task ReduceAsync_EmptySummary_ThrowsResponseParseException()
    {
        var reducer = new SummarizingChatReducer(new ScriptedChatClient().ReturnsText("  "), T, new SummarizingChatReducerOptions { TriggerTokens = 5, TargetTokens = 4 });

        var ex = await Assert.ThrowsAsync<ResponseParseException>(() => reducer.ReduceAsync(History()));

        Assert.Contains("empty summary", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_TargetNotBelowTrigger_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SummarizingChatReducer(new ScriptedChatClient(), T, new SummarizingChatReducerOptions { TriggerTokens = 100, TargetTokens = 100 }));

        Assert.Contains("target below the trigger", ex.Message, StringComparison.Ordinal);
    }
}
